"""axe-core in the browser tests: inject it into a page and fail on its serious or critical
findings, each said with its rule, impact, element and help.

axe-core comes from npm, pinned in tests/browser/package.json (``npm ci --prefix
tests/browser``). Without it a check skips and says so; under CI it fails (tests/needs.py).
The pages' Content-Security-Policy allows only our own scripts, and Playwright injects axe
as an inline script: a page checked needs a context made with ``bypass_csp=True``
(``axe_context``), which changes nothing else the page does.
"""

from __future__ import annotations

from pathlib import Path

from tests.needs import unavailable

AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
FAILING = ("serious", "critical")
# WCAG 2.0 and 2.1, A and AA, and axe's best practices: what the issue asks the pages to pass.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def axe_script() -> Path:
    if not AXE.exists():
        unavailable(f"axe-core not found at {AXE}: run `npm ci --prefix tests/browser`")
    return AXE


def axe_context(chromium, viewport: dict):
    """A browser context whose pages axe can be injected into (see the module doc)."""
    axe_script()
    return chromium.new_context(viewport=viewport, bypass_csp=True)


def violations(page) -> list[dict]:
    """axe's serious and critical findings on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in FAILING]


def describe(what: str, found: list[dict]) -> list[str]:
    """One line a violating element: page, rule, impact, element, and axe's help."""
    lines = []
    for v in found:
        for node in v["nodes"]:
            why = (node.get("failureSummary") or "").strip().splitlines()[-1:]
            lines.append(
                f"{what}: {v['id']} ({v['impact']}) at {' '.join(map(str, node['target']))}: "
                f"{v['help']} [{''.join(why).strip()}] {v['helpUrl']}"
            )
    return lines


def assert_accessible(page, what: str) -> None:
    """No serious or critical axe finding on ``page`` (named ``what`` in the failure)."""
    lines = describe(what, violations(page))
    assert not lines, "axe-core found:\n" + "\n".join(lines)
