"""What the dashboard's page views share: the display time zone, HTMX partial swaps,
query parameters, and the team pages' common context."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from accounts.calendly_connection import calendly_profile
from availability.intervals import UnknownTimeZone, resolve_zone
from dashboard import clock, markup, people_sets, team_page, week_page
from dashboard.access import Viewer
from dashboard.week_grid import day_label

SESSION_ZONE = "display_timezone"
SESSION_THRESHOLD = "hours_threshold"
MAX_THRESHOLD = 168.0  # The hours of a week: a threshold above flags everyone, always.
CALENDLY_ZONE = "calendly"  # ?tz=calendly: back to the viewer's Calendly zone.


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def _profile_zone(request, viewer: Viewer | None) -> str:
    """The viewer's Calendly time zone: as synced, else as it was at sign-in, else UTC."""
    synced = viewer.calendly_user.timezone if viewer else ""
    for name in (synced, lambda: calendly_profile(request.user).get("timezone", "")):
        try:
            return resolve_zone(name() if callable(name) else name).key
        except UnknownTimeZone:
            continue
    return "UTC"


def display_zone(request, viewer: Viewer | None, remember: bool = True) -> tuple[str, str]:
    """The zone to show times in: ``?tz=`` (then remembered), else the remembered one, else
    the viewer's Calendly zone. Returns (zone, a message when ``?tz=`` was not a zone)."""
    asked = request.GET.get("tz")
    if asked == CALENDLY_ZONE:  # "Use my Calendly zone": forget the one chosen.
        if remember:
            request.session.pop(SESSION_ZONE, None)
        return _profile_zone(request, viewer), ""
    if asked:
        try:
            zone = resolve_zone(asked).key
        except UnknownTimeZone:
            return remembered_zone(request, viewer), f"“{asked}” is not a time zone we know."
        if remember:
            request.session[SESSION_ZONE] = zone
        return zone, ""
    return remembered_zone(request, viewer), ""


def zone_chosen(request) -> bool:
    """Whether the viewer chose a zone on a page (remembered for the session, shown and
    resettable wherever times are), rather than seeing their Calendly one."""
    return bool(request.session.get(SESSION_ZONE))


def remembered_zone(request, viewer: Viewer | None) -> str:
    try:
        return resolve_zone(request.session.get(SESSION_ZONE, "")).key
    except UnknownTimeZone:
        return _profile_zone(request, viewer)


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An HTMX swap of the panel, not a whole page (a history restore needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


# C0 and C1 control characters and DEL: PostgreSQL refuses a NUL in a query parameter (a
# 500), and none of them is in anyone's name or email.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    return _CONTROLS.sub("", text)


def search_param(request: HttpRequest) -> str:
    """The ``q`` search text, without control characters or surrounding space."""
    return without_controls(request.GET.get("q", "")).strip()


def int_param(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def threshold(request) -> tuple[float, str]:
    """The free hours a week under which a member is flagged: ``?min_free=`` (then
    remembered for the session, so it holds on reloads and the other team pages), else the
    remembered one, else the default. Returns (hours, a message when ``?min_free=`` was not
    a number of hours from 0 to 168)."""
    kept = request.session.get(SESSION_THRESHOLD)
    if not isinstance(kept, int | float) or not 0 <= kept <= MAX_THRESHOLD:
        kept = team_page.DEFAULT_THRESHOLD_HOURS
    text = (request.GET.get("min_free") or "").strip()
    if not text:
        return kept, ""
    try:
        hours = float(text)
    except ValueError:
        hours = math.nan
    if not 0 <= hours <= MAX_THRESHOLD:  # NaN too.
        return kept, (f"“{text[:20]}” is not a number of hours from 0 to 168: still flagging "
                      f"under {team_page.hours_text(kept)} h.")
    request.session[SESSION_THRESHOLD] = hours
    return hours, ""


def week_problem(text: str | None, nav: week_page.WeekNav) -> str:
    """Why the week shown is not the ``?week=`` asked for ("" when it is, or none was):
    not a date, or outside the weeks the sync reaches, so the nearest is shown."""
    if not text:
        return ""
    asked = week_page.parse_week(text)
    if asked is None:
        return f"“{text[:40]}” is not a date (a week is given as YYYY-MM-DD)."
    if week_page.monday_of(asked) != nav.monday:
        last = nav.last + timedelta(days=6)
        return (f"{day_label(asked)} {asked.year} is outside the weeks shown here (this week "
                f"to {day_label(last)} {last.year}), so this is the nearest.")
    return ""


def team_context(request: HtmxHttpRequest) -> dict:
    """What every team page shows: the organization, the week, the time zone, and the group
    or team it is narrowed to."""
    zone, zone_error = display_zone(request, request.viewer)
    now = timezone.now()
    requested = week_page.parse_week(request.GET.get("week"))
    nav = week_page.viewer_week_nav(request.viewer.calendly_user, requested, zone, now)
    org = request.viewer.membership.organization
    among, among_error = people_sets.chosen(org, request.GET.get("among"))
    hours, hours_error = threshold(request)
    calendly_clock = request.viewer.calendly_user.time_notation
    return {
        "now": now,
        "week_requested": requested is not None,
        "today": now.astimezone(resolve_zone(zone)).date(),
        "viewer": request.viewer,
        "org": org,
        "among": among,
        "among_error": among_error,
        "people_sets": people_sets.choices(org),
        "nav": nav,
        "week_error": week_problem(request.GET.get("week"), nav),
        "zone": zone,
        "zone_error": zone_error,
        "zone_chosen": zone_chosen(request),
        "zone_options": markup.zone_options(zone),
        # The viewer's clock (12h or 24h), as on My week: their Calendly one or their choice.
        "clock": clock.notation_for(request, calendly_clock),
        "clock_chosen": clock.chosen(request),
        "calendly_clock": calendly_clock if calendly_clock in clock.NOTATIONS else "",
        "q": search_param(request),
        "threshold": hours,
        "threshold_error": hours_error,
    }


def render_page(request: HtmxHttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    if wants_partial(request):
        template = f"{template}#{partial}"
    return render(request, template, context)
