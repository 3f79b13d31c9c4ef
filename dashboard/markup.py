"""The only markup written in Python, not in templates: three spots where a template loop
costs a page milliseconds. Everything else is in the page's template, as partials.

What is built here goes into templates as safe strings, so the rule is strict: anything
that is not a number or a constant of ours (a kind of time, a class name) goes through
``escape``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from availability.intervals import zone_names
from dashboard.hours_chart import Chart, Column
from dashboard.hours_trend import NO_DATA, PARTLY
from dashboard.team_page import DayCell, hours_text

# --- The team page's day cells ------------------------------------------------------------
# 25 rows of 7 cells a page: 175 cells took 1.4 ms here, 9.4 ms as a template loop (13 ms
# as a loop of {% partial %}); best of 7 x 50 renders of the same cells, built with the same
# bar paths and hours, on 2026-11-28 on 2 cores (AMD EPYC, shared). The rest of the row is in
# templates/dashboard/team.html (partial team-row), which calls ``day_cells`` by a filter.
# Since each part of a bar is its own path with a tooltip of its times (issue #20), 175
# cells of four parts take 3.0 ms, against 1.2 ms with one path per kind (best of 7 x 50,
# 2026-12-07, same machine).


def _bar_path(boxes: Iterable[tuple[float, float]]) -> str:
    """One SVG path of boxes from x to x + w, 10 high (x and w in percent of the bar, three
    significant digits)."""
    return "".join(f"M{x:.3g} 0h{w:.3g}v10H{x:.3g}z" for x, w in boxes)


def day_cell(cell: DayCell) -> str:
    """A team row's day: the working day as a bar (free solid, busy hatched) whose every
    part has its tooltip, the day's first and last hour, its free hours."""
    if not cell.working:
        return '<td class="heat heat-0"><span class="cell-text muted">off</span></td>'
    span = f'<span class="cell-span">{cell.span_text}</span>'
    if cell.is_past:
        text = f'<span class="cell-text muted">past</span>{span}'
    else:
        text = (f'<span class="cell-text"><span aria-hidden="true">{hours_text(cell.free_hours)} h'
                f'</span><span class="visually-hidden">{escape(cell.description)}</span></span>'
                f'{span}')
    first = cell.working[0][0]
    scale = 100 / (cell.working[-1][1] - first)
    paths = [
        f'<path class="seg-{kind}" d="{_bar_path([((s - first) * scale, (e - s) * scale)])}">'
        f"<title>{title}</title></path>"
        for kind, s, e, title in cell.part_titles()
    ]
    return (
        f'<td class="heat heat-{"past" if cell.is_past else cell.heat}">'
        '<svg class="cell-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
        f'{"".join(paths)}</svg>{text}</td>'
    )


def day_cells(cells: Sequence[DayCell]) -> SafeString:
    """The seven day cells of a team row; numbers and constants only (see the module doc)."""
    return mark_safe("".join(map(day_cell, cells)))  # noqa: S308


# --- The time-zone pickers of "My week" and Team -------------------------------------------
# A template loop over the 554 zones took 3.7 ms a picker, and "My week" has two; built here
# once per zone (1.0 ms) and kept, a picker then costs 0.2 us (same measurement as above).


@lru_cache(maxsize=64)
def zone_options(selected: str) -> SafeString:
    """The ``<option>``s of a time-zone picker (some 550 zones), ``selected`` chosen; kept
    per zone, for the list never changes while the process runs."""
    return mark_safe(  # noqa: S308 - every name is escaped.
        "".join(
            f"<option{' selected' if name == selected else ''}>{escape(name)}</option>"
            for name in zone_names()
        )
    )


# --- The Hours page's charts over weeks ---------------------------------------------------
# 50 rows of nine weeks a page: 50 charts took 23 ms as a template include, 1.6 ms here
# (best of 7, 2026-12-07, 2 shared cores); ``hours_chart`` says what each shape means.


def _week_column(c: Column, chart: Chart) -> str:
    shown = ' data-shown="true"' if c.shown else ""
    parts = [f"<title>{escape(c.title)}</title>"]
    if c.shown:
        parts.append(
            f'<rect class="shown-frame" x="{c.frame_x:g}" y="0.5" '
            f'width="{chart.column_width}" height="{chart.frame_height}"/>'
        )
    if c.kind == NO_DATA:
        parts.append(
            f'<line class="no-data-base" x1="{c.x:g}" x2="{c.base_end:g}" y1="{chart.base_y}" '
            f'y2="{chart.base_y}"/><text class="no-data-mark" x="{c.middle:g}" '
            f'y="{chart.mark_y}" text-anchor="middle">?</text>'
        )
    else:
        box = f'x="{c.x:g}" width="{chart.bar_width}"'
        parts.append(
            f'<rect class="outline" {box} y="{c.outline_y:g}" height="{c.outline_height:g}"/>'
        )
        if c.past_height:
            parts.append(
                f'<rect class="past" {box} y="{c.outline_y:g}" height="{c.past_height:g}"/>'
            )
        if c.free_height:
            parts.append(f'<rect class="free" {box} y="{c.free_y:g}" height="{c.free_height:g}"/>')
        if c.kind == PARTLY and c.free_y - c.outline_y >= 10:  # Where a "?" has room.
            parts.append(
                f'<text class="no-data-mark" x="{c.middle:g}" y="{c.unread_mark_y:g}" '
                'text-anchor="middle">?</text>'
            )
    return (
        f'<g class="week bar-{c.kind}{" is-shown" if c.shown else ""}" '
        f'data-testid="chart-week" data-state="{c.kind}"{shown}>{"".join(parts)}</g>'
    )


def hours_chart(chart: Chart) -> SafeString:
    """A member's chart over weeks as inline SVG; the titles and the label are escaped."""
    columns = "".join(_week_column(c, chart) for c in chart.columns)
    width = chart.width
    shown = chart.shown
    label = (
        (
            f'<text class="shown-label" x="{shown.middle:g}" y="{chart.label_y}" '
            f'text-anchor="middle">{escape(chart.shown_label)}</text>'
        )
        if shown
        else ""
    )
    return mark_safe(  # noqa: S308 - numbers, our class names, and escaped text.
        f'<svg class="hours-chart" role="img" width="{width}" height="{chart.height}" '
        f'viewBox="0 0 {width} {chart.height}" aria-label="{escape(chart.label)}" '
        f'data-testid="hours-chart">{columns}<line class="threshold-line" x1="0" '
        f'x2="{width}" y1="{chart.threshold_y:g}" y2="{chart.threshold_y:g}">'
        f"<title>{escape(chart.threshold_title)}</title></line>{label}</svg>"
    )
