"""What the Hours page and its CSVs show of each member, put together: the shown week's
totals (``team_page.hours_rows``), the weeks around it as a chart, the nudge of a flagged
member, and a range of weeks as CSV rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from dashboard import hours_chart, hours_nudge, hours_trend
from dashboard.team_page import HoursRow


@dataclass(frozen=True, slots=True)
class HoursLine:
    row: HoursRow
    chart: hours_chart.Chart
    nudge: str  # The mailto: link; "" unless flagged and reachable by email.


def lines(rows: list[HoursRow], shown: date, now: datetime, threshold: float) -> list[HoursLine]:
    """The page's rows with their weeks around ``shown``: two queries for all of them."""
    mondays = hours_trend.around(shown)
    series = hours_trend.weekly([r.member for r in rows], mondays, now)
    result = []
    for row in rows:
        points = series[row.member.pk]
        name = row.member.name or row.member.email
        ahead = [p for p in points if p.monday > shown]
        nudge = (
            hours_nudge.mailto(row.member, shown, row.totals, threshold, ahead)
            if row.needs_more
            else ""
        )
        result.append(HoursLine(row, hours_chart.chart(points, shown, threshold, name), nudge))
    return result


RANGE_HEADER = [
    "week",
    "name",
    "email",
    "data",
    "working_hours",
    "past_hours",
    "busy_hours",
    "free_hours",
    "needs_more_availability",
]


def _hours(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def range_rows(
    rows: list[HoursRow], mondays: list[date], now: datetime, threshold: float, cell
) -> Iterator[list[str]]:
    """One row per member and week, members in the page's order, weeks in order; a figure
    not known (busy times of a past week, a week not read) is left empty, never 0.
    ``cell`` makes a name or an email safe for a spreadsheet."""
    series = hours_trend.weekly([r.member for r in rows], mondays, now)
    for row in rows:
        for p in series[row.member.pk]:
            flag = p.needs_more(threshold)
            yield [
                f"{p.monday:%Y-%m-%d}",
                cell(row.member.name),
                cell(row.member.email),
                p.data_text,
                _hours(p.working_hours),
                f"{p.past_hours:.2f}",
                _hours(p.busy_hours),
                _hours(p.free_hours),
                "" if flag is None else ("yes" if flag else "no"),
            ]
