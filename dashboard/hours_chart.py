"""The geometry of a member's small weekly chart: one column a week, drawn by SVG attributes
(the Content-Security-Policy allows no inline styles) and told apart without colour.

A week's column is its working hours as an outline and its free hours as a solid bar inside
it, with the part of this week already over hatched at its top; a past week is hatched
(past time is never free) and a week without data shows "?" over a dotted base, not a bar
of zero. The shown week is framed, and its date written under it. ``markup.hours_chart``
writes the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dashboard import team_page
from dashboard.hours_trend import NO_DATA, PARTLY, PAST, READ, WeekPoint, week_text

COLUMN = 18  # Width of a week's column, in SVG units (pixels at the chart's own size).
BAR = 12
PLOT_TOP = 4
PLOT = 40  # Height of the plot, for the largest of the hours drawn.
LABEL = 12  # Room under the plot for the shown week's date.


@dataclass(frozen=True, slots=True)
class Column:
    x: float  # Left edge of the bar.
    kind: str  # "read", "partly", "past" or "none": the CSS class ``bar-<kind>``.
    title: str
    outline_y: float  # The working hours' outline (height 0: none).
    outline_height: float
    free_y: float
    free_height: float
    shown: bool
    past_height: float = 0.0  # This week's hours already over, hatched atop the outline.

    @property
    def frame_x(self) -> float:
        return self.x - (COLUMN - BAR) / 2

    @property
    def middle(self) -> float:
        return self.x + BAR / 2

    @property
    def unread_mark_y(self) -> float:
        """A partly read week's "?", in its outline above the free hours read (drawn only
        when that leaves it room: the dashed outline and the title say it all the same)."""
        return self.outline_y + 9

    @property
    def base_end(self) -> float:
        return self.x + BAR


@dataclass(frozen=True, slots=True)
class Chart:
    columns: list[Column]
    threshold_y: float
    threshold_title: str
    label: str  # The whole chart in words, for screen readers.
    shown_label: str

    # The fixed measures, for the markup.
    height = PLOT_TOP + PLOT + LABEL
    base_y = PLOT_TOP + PLOT
    mark_y = PLOT_TOP + PLOT - 4  # The baseline of a week without data's "?".
    frame_height = PLOT + PLOT_TOP - 1
    label_y = PLOT_TOP + PLOT + LABEL - 2
    column_width = COLUMN
    bar_width = BAR

    @property
    def width(self) -> int:
        return COLUMN * len(self.columns)

    @property
    def shown(self) -> Column | None:
        return next((c for c in self.columns if c.shown), None)


def _short(p: WeekPoint) -> str:
    if p.state == PAST:
        return "past"
    if p.state == NO_DATA:
        return "no data"
    if p.state == PARTLY:
        return f"{team_page.hours_text(p.free_hours or 0.0)} h so far (partly read)"
    return f"{team_page.hours_text(p.free_hours or 0.0)} h"


def chart(points: list[WeekPoint], shown: date, threshold: float, name: str) -> Chart:
    """``points`` drawn to one scale: the most working hours of any week, or the threshold."""
    top = max([p.working_hours or 0.0 for p in points] + [threshold, 1.0])

    def y(hours: float) -> float:
        return round(PLOT_TOP + PLOT * (1 - min(hours, top) / top), 1)

    def height(hours: float) -> float:
        return round(PLOT * min(hours, top) / top, 1)

    columns = []
    for index, p in enumerate(points):
        working = (p.working_hours or 0.0) if p.state != NO_DATA else 0.0
        free = p.free_hours or 0.0
        columns.append(
            Column(
                x=index * COLUMN + (COLUMN - BAR) / 2,
                kind=p.state,
                title=p.title,
                outline_y=y(working),
                outline_height=height(working),
                free_y=y(free),
                free_height=height(free) if p.state in (READ, PARTLY) else 0.0,
                shown=p.monday == shown,
                past_height=height(p.past_hours) if p.state in (READ, PARTLY) else 0.0,
            )
        )
    words = ", ".join(f"{week_text(p.monday)} {_short(p)}" for p in points)
    first, last = (points[0].monday, points[-1].monday) if points else (shown, shown)
    return Chart(
        columns=columns,
        threshold_y=y(threshold),
        threshold_title=f"Flag under {team_page.hours_text(threshold)} free hours a week",
        label=(
            f"{name}: free hours a week from {week_text(first)} to {week_text(last)}, "
            f"the shown week {week_text(shown)}: {words}."
            if points
            else name
        ),
        shown_label=week_text(shown),
    )
