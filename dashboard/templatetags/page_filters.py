"""Filters of the dashboard's templates: numbers written as the SVG and the pages want them."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def g(number: float) -> str:
    """A coordinate as Python's ``g`` format writes it, never localized: 51.0 is "51", 51.5
    is "51.5", 1/3 is "0.333333"."""
    try:
        return format(number, "g")
    except (TypeError, ValueError):
        return ""
