"""The "Nudge" link of a flagged member: a ``mailto:`` whose subject and body carry the
member's numbers and what they can change in Calendly to offer more time.

What is suggested is what lies in the member's own Calendly settings, so they can act on
it alone: their schedule's working hours, date-specific hours, their meeting limits and
their event types' buffers. RFC 6068: every part percent-encoded, lines
separated by CRLF.
"""

from __future__ import annotations

from urllib.parse import quote

from availability import freebusy
from availability.models import CalendlyUser
from dashboard.hours_trend import READ, WeekPoint, week_text
from dashboard.team_page import hours_text

WHAT_TO_CHANGE = (
    "In Calendly, under Availability, you can:",
    "- add hours or days to the weekly working hours of your default schedule;",
    "- add date-specific hours for the days you can offer more;",
    "- raise or remove a daily or weekly meeting limit, if you set one;",
    "- shorten the buffers before and after your event types.",
)


def body_lines(
    member: CalendlyUser,
    monday,
    totals: freebusy.WeekTotals,
    threshold: float,
    ahead: list[WeekPoint],
) -> list[str]:
    greeting = f"Hi {member.name.split()[0]}," if member.name.strip() else "Hi,"
    lines = [
        greeting,
        "",
        f"In the week of {week_text(monday)} you have {hours_text(totals.free_hours)} free "
        f"hours in Calendly, under the {hours_text(threshold)} hours a week we aim for"
        + (" (pro rata for what is left of the week)." if totals.past_hours else "."),
        f"Working hours {hours_text(totals.working_hours)}, busy "
        f"{hours_text(totals.busy_hours)}, already past {hours_text(totals.past_hours)}.",
    ]
    later = [
        f"{week_text(p.monday)}: {hours_text(p.free_hours or 0.0)} h free"
        for p in ahead
        if p.state == READ
    ]
    if later:
        lines.append("The weeks after: " + "; ".join(later) + ".")
    return [*lines, "", *WHAT_TO_CHANGE, "", "Thank you!"]


def mailto(
    member: CalendlyUser,
    monday,
    totals: freebusy.WeekTotals,
    threshold: float,
    ahead: list[WeekPoint] = (),
) -> str:
    """The link, or "" when the member has no email to write to."""
    if not member.email:
        return ""
    subject = (
        f"More Calendly availability, week of {week_text(monday)}: "
        f"{hours_text(totals.free_hours)} h free"
    )
    body = "\r\n".join(body_lines(member, monday, totals, threshold, list(ahead)))
    return (
        f"mailto:{quote(member.email, safe='@')}?subject={quote(subject, safe='')}"
        f"&body={quote(body, safe='')}"
    )
