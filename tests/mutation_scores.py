"""`make mutation`'s closing table: the mutation score of each mutated module, from the
results mutmut left in mutants/ (`*.meta`, one exit code per mutant).

A mutant counts as killed when its tests failed or timed out; one no test reaches ("no
tests") or that passed the tests counts against the module: both are changes nobody would
notice. Run after `mutmut run`: `python -m tests.mutation_scores`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255, -9, -11}  # failed, pytest error, timeouts, crashes
NOT_COUNTED = {34, None, 2}  # skipped, not checked, interrupted


def scores(root: Path) -> list[tuple[str, Counter]]:
    table = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text()).get("exit_code_by_key", {}).values()
        counts = Counter(
            "killed" if c in KILLED else "skipped" if c in NOT_COUNTED
            else "no tests" if c in (5, 33) else "survived"
            for c in codes
        )
        if sum(counts.values()):
            table.append((str(meta.relative_to(root)).removesuffix(".meta"), counts))
    return table


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "mutants")
    table = scores(root)
    if not table:
        print(f"no mutmut results under {root}/: run `mutmut run` first")
        return 1
    print(f"{'module':32} {'mutants':>7} {'killed':>6} {'survived':>8} {'no tests':>8} {'score':>6}")
    for module, counts in table:
        counted = counts["killed"] + counts["survived"] + counts["no tests"]
        score = 100 * counts["killed"] / counted if counted else 100.0
        print(f"{module:32} {counted:7} {counts['killed']:6} {counts['survived']:8} "
              f"{counts['no tests']:8} {score:5.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
