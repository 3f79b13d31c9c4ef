"""The table ``make bench`` prints (figure, value, goal, met) and ``var/bench/latest.json``."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Row:
    section: str
    figure: str
    value: str
    goal: str = ""
    met: bool | None = None  # None: a figure to read, no goal of its own

    @property
    def verdict(self) -> str:
        return {True: "yes", False: "NO", None: ""}[self.met]


def table(rows: list[Row]) -> str:
    header = ("", "Figure", "Value", "Goal", "Met")
    cells = [header, *[(r.section, r.figure, r.value, r.goal, r.verdict) for r in rows]]
    widths = [max(len(c[i]) for c in cells) for i in range(len(header))]
    lines = []
    for index, cell in enumerate(cells):
        lines.append("  ".join(text.ljust(width) for text, width in zip(cell, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines)


def write(path: Path, results: dict, rows: list[Row]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**results, "table": [asdict(r) for r in rows]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
