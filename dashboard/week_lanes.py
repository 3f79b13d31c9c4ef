"""Side-by-side lanes for blocks that overlap in a day column, and the words written in a
block of a given size: pure, no Django.

Calendly can report a booking inside an external event's time (both are busy), and a
buffer can run into either; drawn on top of each other their labels garble, so each run
of overlapping blocks shares the column in equal lanes, like a calendar app's day view.
"""

from __future__ import annotations

from collections.abc import Sequence

LINE = 14  # Height of one line of text in a block, in SVG units.
CHAR_WIDTH = 7.3  # A bold 11 px sans-serif character, wide ones included, as drawn.


def lanes(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each (start, end) span, (its lane, the lanes of its run of overlaps).

    A run is a maximal set of spans linked by overlaps; each span takes the first lane
    free at its start, and every span of a run is as wide as the run's widest moment
    allows, so lanes line up down the column."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1]))
    placed: list[tuple[int, int]] = [(0, 1)] * len(spans)
    run: list[int] = []
    lane_ends: list[int] = []
    run_end = None

    def close_run() -> None:
        for i in run:
            placed[i] = (placed[i][0], len(lane_ends))

    for i in order:
        start, end = spans[i]
        if run_end is not None and start >= run_end:
            close_run()
            run, lane_ends = [], []
        lane = next((n for n, lane_end in enumerate(lane_ends) if lane_end <= start), None)
        if lane is None:
            lane = len(lane_ends)
            lane_ends.append(end)
        else:
            lane_ends[lane] = end
        placed[i] = (lane, 0)
        run.append(i)
        run_end = end if run_end is None or start >= run_end else max(run_end, end)
    close_run()
    return placed


def chars_for(width: float) -> int:
    """How many characters fit on one line of a block ``width`` wide."""
    return max(1, int((width - 8) / CHAR_WIDTH))


def shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 0)].rstrip() + "…"


def wrap(text: str, chars: int, max_lines: int) -> list[str]:
    """``text`` broken at spaces into at most ``max_lines`` lines, the last one cut with
    "…" when the rest does not fit."""
    lines: list[str] = []
    words = text.split()
    while words and len(lines) < max_lines:
        line = words.pop(0)
        while words and len(line) + 1 + len(words[0]) <= chars:
            line = f"{line} {words.pop(0)}"
        lines.append(line)
    if words:
        lines[-1] = f"{lines[-1]} {' '.join(words)}"
    return [shorten(line, chars) for line in lines]


def block_lines(
    head: str, times: str, start: str, kind_words: str, height: float, width: float
) -> tuple[str, ...]:
    """What is written inside a block: its name (``head``) and its ``times`` as far as
    they fit, the start time beside the name when only one line fits (and has room), the kind under
    a named booking when there is room; the tooltip says the rest."""
    room = int((height - 2) // LINE)
    chars = chars_for(width)
    if room <= 0:
        return ()
    when = times if len(times) <= chars else start
    if room == 1:
        # The start time only beside enough of the name to read; the tooltip has both.
        enough = len(start) + 1 + min(len(head), 6) <= chars
        return (shorten(f"{start} {head}" if enough else head, chars),)
    lines = [*wrap(head, chars, room - 1), shorten(when, chars)]
    if kind_words and len(lines) < room:
        lines.append(shorten(kind_words, chars))
    return tuple(lines)
