"""Markup the pages repeat many times, written in Python once instead of by template loops.

Django's template engine costs microseconds per node, and a team page of 25 rows of 7 day
cells rendered thousands of them. What is built here goes into templates as safe strings,
so the rule is strict: anything that is not a number or a constant of ours (a kind of
time, a class name) goes through ``escape``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from django.urls import get_script_prefix, reverse
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.timesince import timesince

from availability.intervals import zone_names

if TYPE_CHECKING:
    from dashboard.team_page import DayCell, TeamRow

KINDS = ("past", "busy", "free")


# --- The team page ------------------------------------------------------------------------


def hours_text(hours: float) -> str:
    """One decimal, halves rounded up (as the ``floatformat`` filter does): 2 h 15 is 2.3."""
    return f"{math.floor(hours * 10 + 0.5) / 10:.1f}"


def _bar_path(boxes: Iterable[tuple[float, float]]) -> str:
    """One SVG path of boxes from x to x + w, 10 high (x and w in percent of the bar, three
    significant digits): one element per kind of time, not one per part."""
    return "".join(f"M{x:.3g} 0h{w:.3g}v10H{x:.3g}z" for x, w in boxes)


def day_cell(cell: DayCell) -> str:
    """A team row's day: the working day as a bar (free solid, busy hatched), free hours."""
    if not cell.working:
        return '<td class="heat heat-0"><span class="cell-text muted">off</span></td>'
    if cell.is_past:
        text = '<span class="cell-text muted">past</span>'
    else:
        text = (f'<span class="cell-text"><span aria-hidden="true">{hours_text(cell.free_hours)} h'
                f'</span><span class="visually-hidden">{escape(cell.description)}</span></span>')
    first = cell.working[0][0]
    scale = 100 / (cell.working[-1][1] - first)
    paths = []
    for kind in KINDS:
        boxes = [((s - first) * scale, (e - s) * scale) for k, s, e in cell.parts if k == kind]
        if boxes:
            paths.append(f'<path class="seg-{kind}" d="{_bar_path(boxes)}"/>')
    return (
        f'<td class="heat heat-{"past" if cell.is_past else cell.heat}">'
        '<svg class="cell-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">'
        f'{"".join(paths)}</svg>{text}</td>'
    )


def day_cells(cells: Sequence[DayCell]) -> SafeString:
    """The seven day cells of a team row; numbers and constants only (see the module doc)."""
    return mark_safe("".join(map(day_cell, cells)))  # noqa: S308


@lru_cache(maxsize=8)
def _week_link_around(script_prefix: str) -> tuple[str, str]:
    """What comes before and after the id in a member's week link: ``reverse`` costs
    about as much as the rest of a row, and the id is the pattern's last part."""
    before, _, after = reverse("dashboard:member_week", args=[0]).rpartition("0")
    return before, after


def _member_cell(row: TeamRow) -> str:
    member = row.member
    name = member.name or member.email
    if member.avatar_url:
        avatar = (f'<img class="avatar" src="{escape(member.avatar_url)}" alt="" width="32" '
                  'height="32" loading="lazy">')
    else:
        initial = escape(name[:1].upper())
        avatar = f'<span class="avatar avatar-initial" aria-hidden="true">{initial}</span>'
    before, after = _week_link_around(get_script_prefix())
    return (
        f'<th scope="row" class="member-cell"><a class="member" '
        f'href="{before}{member.pk}{after}?week={row.monday:%Y-%m-%d}">{avatar}'
        f'<span class="member-name">{escape(name)}</span></a>'
        f'<span class="member-time muted">{row.local_clock} · {row.utc_offset}</span></th>'
    )


def _health_cell(row: TeamRow) -> str:
    member, synced, now = row.member, row.membership.last_synced_at, row.local_time
    tag = ('<span class="tag tag-ok">Connected</span>' if row.connected
           else '<span class="tag tag-warn">Not connected</span>')
    if synced:
        when = f"synced {timesince(synced, now)} ago"
    elif member.synced_at:
        when = f"seen {timesince(member.synced_at, now)} ago"
    else:
        when = "never synced"
    problem = ""
    if member.sync_problem:
        detail = member.sync_problem_detail
        problem = format_html(
            '<span class="health-error">{}{}</span>', member.get_sync_problem_display(),
            f": {Truncator(detail).chars(80)}" if detail else "",
        )
    return f'<td class="health">{tag}<span class="muted">{escape(when)}</span>{problem}</td>'


def team_row(row: TeamRow) -> SafeString:
    """A member's row of the team page: who, their seven days, their connection. Names,
    addresses and problems are escaped by ``format_html`` and ``escape``."""
    if row.cells:
        days = day_cells(row.cells)
    else:
        problem = row.week.problem or "No working hours this week."
        days = format_html('<td colspan="7" class="problem">{}</td>', problem)
    return mark_safe(  # noqa: S308 - every part above is escaped or a constant.
        f'<tr data-testid="member-row">{_member_cell(row)}{days}{_health_cell(row)}</tr>'
    )


# --- "My week" ----------------------------------------------------------------------------


@lru_cache(maxsize=64)
def zone_options(selected: str) -> SafeString:
    """The ``<option>``s of a time-zone picker (some 400 zones), ``selected`` chosen; kept
    per zone, for the list never changes while the process runs."""
    return mark_safe(  # noqa: S308 - every name is escaped.
        "".join(
            f"<option{' selected' if name == selected else ''}>{escape(name)}</option>"
            for name in zone_names()
        )
    )
