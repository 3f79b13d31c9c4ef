"""The axe helper itself, without a browser: what a missing axe-core does (a skip saying
how to get it; a failure under CI) and how a finding is said."""

import pytest

from tests.browser import axe


def test_without_axe_core_a_check_skips_saying_how_to_get_it(monkeypatch, tmp_path):
    monkeypatch.setattr(axe, "AXE", tmp_path / "axe.min.js")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"npm ci --prefix tests/browser"):
        axe.axe_script()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"axe-core not found .*CI=true"):
        axe.axe_script()


def test_a_finding_names_page_rule_impact_element_and_help():
    found = [
        {
            "id": "color-contrast",
            "impact": "serious",
            "help": "Elements must meet contrast",
            "helpUrl": "https://example/rule",
            "nodes": [{"target": [".cell-span"], "failureSummary": "Fix any:\n  ratio of 3.56"}],
        }
    ]
    assert axe.describe("team at 390 px", found) == [
        "team at 390 px: color-contrast (serious) at .cell-span: Elements must meet contrast "
        "[ratio of 3.56] https://example/rule"
    ]
