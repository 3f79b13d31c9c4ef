"""`make coverage`'s closing line: line and branch coverage apart (coverage's own report
gives one figure for both), from `coverage json`'s totals."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> int:
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "var/coverage/coverage.json")
    t = json.loads(path.read_text())["totals"]
    lines = 100 * t["covered_lines"] / t["num_statements"]
    branches = 100 * t["covered_branches"] / t["num_branches"]
    print(f"product lines {t['covered_lines']}/{t['num_statements']} = {lines:.1f}%, "
          f"branches {t['covered_branches']}/{t['num_branches']} = {branches:.1f}%")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
