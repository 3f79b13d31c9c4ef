"""Team pages, for owners and admins: members' weeks, hours used, find a time."""

from __future__ import annotations

import csv
from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from availability.intervals import resolve_zone
from dashboard import find_time, team_page, week_page
from dashboard.access import require_team_admin
from dashboard.views.week import HtmxHttpRequest, _int, display_zone, wants_partial

PAGE_SIZE = 25
SORT_COLUMNS = [
    ("name", "Member"),
    ("working", "Working h"),
    ("past", "Past h"),
    ("busy", "Busy h"),
    ("free", "Free h"),
    ("scheduled", "Scheduled h"),
    ("share", "Free share"),
]
FILTERS = {"": "All members", "needs_more": "Needs more availability", "not_connected": "Not connected"}


def _float(text: str | None, default: float) -> float:
    try:
        return max(0.0, float(text or ""))
    except ValueError:
        return default


def _common(request: HtmxHttpRequest) -> dict:
    """What every team page shows: the organization, the week and the time zone."""
    zone, zone_error = display_zone(request, request.viewer)
    now = timezone.now()
    requested = week_page.parse_week(request.GET.get("week"))
    nav = week_page.viewer_week_nav(request.viewer.calendly_user, requested, zone, now)
    return {
        "now": now,
        "week_requested": requested is not None,
        "today": now.astimezone(resolve_zone(zone)).date(),
        "viewer": request.viewer,
        "org": request.viewer.membership.organization,
        "nav": nav,
        "zone": zone,
        "zone_error": zone_error,
        "show_team_link": True,
        "q": request.GET.get("q", "").strip(),
        "threshold": _float(request.GET.get("min_free"), team_page.DEFAULT_THRESHOLD_HOURS),
    }


def _render(request: HtmxHttpRequest, template: str, partial: str, context: dict) -> HttpResponse:
    if wants_partial(request):
        template = f"{template}#{partial}"
    return render(request, template, context)


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def team_week(request: HtmxHttpRequest) -> HttpResponse:
    context = _common(request)
    show = request.GET.get("show", "")
    rows = team_page.members(context["org"], context["q"])
    if show == "not_connected":
        rows = team_page.not_connected(rows)
    elif show == "needs_more":
        weeks = team_page.org_weeks(context["org"], context["nav"].monday, context["now"])
        needing = [pk for pk, (_, w) in weeks.items() if team_page.needs_more(w, context["threshold"])]
        rows = rows.filter(user_id__in=needing)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context |= {
        "show": show,
        "filters": FILTERS,
        "page_obj": page,
        "rows": team_page.team_rows(list(page.object_list), context["nav"].monday, context["now"]),
        "days": [context["nav"].monday + timedelta(days=i) for i in range(7)],
    }
    return _render(request, "dashboard/team.html", "team-panel", context)


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def team_hours(request: HtmxHttpRequest) -> HttpResponse:
    context = _common(request)
    sort = request.GET.get("sort", "name")
    rows = team_page.hours_rows(
        context["org"], context["nav"].monday, context["now"], context["threshold"],
        context["q"], sort,
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    context |= {"sort": sort, "sort_columns": SORT_COLUMNS, "page_obj": page, "rows": page.object_list}
    return _render(request, "dashboard/team_hours.html", "hours-panel", context)


@require_GET
@require_team_admin
def team_hours_csv(request: HtmxHttpRequest) -> HttpResponse:
    context = _common(request)
    rows = team_page.hours_rows(
        context["org"], context["nav"].monday, context["now"], context["threshold"],
        context["q"], request.GET.get("sort", "name"),
    )
    name = f"hours-{context['nav'].monday:%Y-%m-%d}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    # Past hours are over; busy, free, scheduled and the share cover the rest of the week.
    writer.writerow(["name", "email", "working_hours", "past_hours", "busy_hours", "free_hours",
                     "scheduled_hours", "free_share", "needs_more_availability", "problem"])
    for row in rows:
        t = row.totals
        writer.writerow([_cell(row.member.name), _cell(row.member.email), f"{t.working_hours:.2f}",
                         f"{t.past_hours:.2f}", f"{t.busy_hours:.2f}", f"{t.free_hours:.2f}",
                         f"{t.scheduled_hours:.2f}", f"{t.free_share:.2f}",
                         "yes" if row.needs_more else "no", row.problem])
    return response


def _cell(text: str) -> str:
    """A spreadsheet must not read a member's name as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


def _chosen(request: HtmxHttpRequest) -> list[int]:
    """The ``member`` ids asked for; one no row can have (0, or past a 64-bit integer,
    which the database driver refuses) is no one."""
    ids = map(_int, request.GET.getlist("member"))
    return list(dict.fromkeys(pk for pk in ids if pk is not None and 0 < pk < 2**63))


def _picker(org, search: str, chosen: list[int], chosen_members: list | None = None) -> dict:
    """The member picker of find-a-time: the chosen members as chips, and up to
    ``team_page.MATCH_LIMIT`` others matching the search. Never the whole organization."""
    if chosen_members is None:
        chosen_members = team_page.members_by_id(org, chosen) if chosen else []
    matches, more = team_page.find_members(org, search, chosen) if search else ([], False)
    return {"q": search, "chosen_members": chosen_members, "matches": matches, "more_matches": more}


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def find_a_time(request: HtmxHttpRequest) -> HttpResponse:
    context = _common(request)
    everyone = request.GET.get("all", "1" if "member" not in request.GET else "") == "1"
    chosen = _chosen(request)
    duration = _int(request.GET.get("duration")) or 30
    if duration not in find_time.DURATIONS:
        duration = 30
    # From today on, unless a week was asked for: a week mostly over is no place to search.
    first_day = context["nav"].monday if context["week_requested"] else context["today"]
    result = find_time.find_time(
        context["org"], None if everyone else chosen, first_day, duration,
        _int(request.GET.get("k")), context["zone"], context["now"],
    )
    context |= {
        "everyone": everyone,
        "duration": duration,
        "durations": find_time.DURATIONS,
        "result": result,
    }
    if not wants_partial(request):
        # find_time read exactly the chosen members of the organization, unless everyone.
        known = None if everyone else result.considered
        context |= _picker(context["org"], context["q"], chosen, known)
    return _render(request, "dashboard/find_time.html", "find-panel", context)


@require_GET
@require_team_admin
def find_a_time_members(request: HtmxHttpRequest) -> HttpResponse:
    """The picker alone, for its search box: chips of the chosen, members matching ``q``."""
    org = request.viewer.membership.organization
    context = _picker(org, request.GET.get("q", "").strip(), _chosen(request))
    return render(request, "dashboard/find_time.html#member-picker", context)
