"""Filters of the dashboard's templates: numbers as the SVG wants them, the team row's
cells, the query a form keeps."""

from __future__ import annotations

from collections.abc import Sequence

from django import template
from django.http import QueryDict
from django.utils.safestring import SafeString

from dashboard import markup
from dashboard.team_page import DayCell
from dashboard.views.common import without_controls

register = template.Library()


@register.filter
def g(number: float) -> str:
    """A coordinate as Python's ``g`` format writes it, never localized: 51.0 is "51", 51.5
    is "51.5", 1/3 is "0.333333"."""
    try:
        return format(number, "g")
    except (TypeError, ValueError):
        return ""


@register.filter
def hours_chart(chart: markup.Chart) -> SafeString:
    """``{{ line.chart|hours_chart }}``: a member's chart over weeks, built in Python."""
    return markup.hours_chart(chart)


@register.filter
def day_cells(cells: Sequence[DayCell]) -> SafeString:
    """``{{ row.cells|day_cells }}``: a team row's seven day cells, built in Python."""
    return markup.day_cells(cells)


@register.filter
def query_except(query: QueryDict, names: str) -> list[tuple[str, str]]:
    """``request.GET|query_except:"tz clock"``: the query's other (name, value) pairs, as
    hidden inputs of a form that sends only some: choosing a zone keeps the filters. Without
    control characters, which no parameter needs (see ``search_param``)."""
    dropped = set(names.split())
    return [(without_controls(name), without_controls(value)) for name, values in query.lists()
            if name not in dropped for value in values]
