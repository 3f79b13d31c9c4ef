"""Find a time, for owners and admins: the slots that suit the chosen members, and an hour
by hour heatmap of how many are free."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard import find_time, find_time_range, slot_actions, team_page
from dashboard.access import require_team_admin
from dashboard.views.common import (
    HtmxHttpRequest,
    int_param,
    render_page,
    search_param,
    team_context,
    wants_partial,
)

MAX_SHOWN = 96  # Slots a page lists at most, twelve more a "Show more".


def _chosen(request: HtmxHttpRequest) -> list[int]:
    """The ``member`` ids asked for; one no row can have (0, or past a 64-bit integer,
    which the database driver refuses) is no one."""
    ids = map(int_param, request.GET.getlist("member"))
    return list(dict.fromkeys(pk for pk in ids if pk is not None and 0 < pk < 2**63))


def _picker(org, search: str, chosen: list[int], chosen_members: list | None = None) -> dict:
    """The member picker of find-a-time: the chosen members as chips, and up to
    ``team_page.MATCH_LIMIT`` others matching the search. Never the whole organization."""
    if chosen_members is None:
        chosen_members = team_page.members_by_id(org, chosen) if chosen else []
    matches, more = team_page.find_members(org, search, chosen) if search else ([], False)
    return {"q": search, "chosen_members": chosen_members, "matches": matches, "more_matches": more}


def selection(request: HtmxHttpRequest, among) -> tuple[bool, list[int], list[int] | None]:
    """Who a search compares: (everyone?, the ids picked, the ids considered or None for
    the whole organization). The form sends all=0 before its checkbox, so an unticked "All
    members" is told from a first visit (which compares everyone unless members or a group
    are asked). A group or team counts with whoever is picked besides."""
    asked_all = request.GET.getlist("all")
    everyone = "1" in asked_all if asked_all else "member" not in request.GET and not among
    chosen = _chosen(request)
    considered = None if everyone else chosen
    if among and not everyone:
        considered = [*among.users.values_list("pk", flat=True), *chosen]
    return everyone, chosen, considered


def selection_query(everyone: bool, chosen: list[int], among) -> dict[str, list[str]]:
    """The same selection as query parameters, for the links each found time carries."""
    query = {"all": ["1" if everyone else "0"], "member": [str(pk) for pk in chosen]}
    return query | ({"among": [among.key]} if among else {})


def duration_param(request: HtmxHttpRequest) -> int | None:
    duration = int_param(request.GET.get("duration"))
    return duration if duration in find_time.DURATIONS else None


def _range_context(request: HtmxHttpRequest, context: dict, considered) -> dict:
    """The days to search (from now over ``?days=``, or the week asked for), cut where the
    synced data ends, and the organizer's working hours unless ``?any_hour=1``."""
    days = context["days"]
    first_day = context["nav"].monday if context["week_requested"] else context["today"]
    asked = find_time.SEARCH_DAYS if context["week_requested"] else days
    reach = find_time_range.data_reach(context["org"], considered, context["now"])
    searched = find_time_range.search_range(
        first_day, asked, context["zone"], reach, context["clock"]
    )
    hours, hours_problem = None, ""
    if not context["any_hour"] and searched.days:
        window = find_time.local_days(first_day, searched.days, context["zone"])
        hours, hours_problem = find_time_range.organizer_hours(
            request.viewer.calendly_user, window, context["now"]
        )
    return {"searched": searched, "within": hours, "hours_problem": hours_problem}


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def find_a_time(request: HtmxHttpRequest) -> HttpResponse:
    context = team_context(request)
    among = context["among"]
    everyone, chosen, considered = selection(request, among)
    duration = duration_param(request) or 30
    shown = min(max(int_param(request.GET.get("more")) or 0, find_time.SLOT_LIMIT), MAX_SHOWN)
    days, days_error = find_time_range.span_asked(request.GET.get("days"))
    context |= {
        "everyone": everyone,
        "duration": duration,
        "durations": find_time.DURATIONS,
        "days": days,
        "days_error": days_error,
        "spans": find_time_range.SPANS,
        "any_hour": request.GET.get("any_hour") == "1",
    }
    if not everyone and not considered:
        # Nobody to compare: say so, rather than searching everyone or nobody.
        context |= {"nobody_picked": True}
        if not wants_partial(request):
            context |= _picker(context["org"], context["q"], chosen, [])
        return render_page(request, "dashboard/find_time.html", "find-panel", context)
    context |= _range_context(request, context, considered)
    searched = context["searched"]
    if searched.days:
        result = find_time.find_time(
            context["org"],
            considered,
            searched.first_day,
            duration,
            int_param(request.GET.get("k")),
            context["zone"],
            context["now"],
            day_count=searched.days,
            notation=context["clock"],
            shown=shown,
            within=context["within"],
        )
        actions = slot_actions.slot_actions(
            context["org"],
            result.slots,
            result.considered,
            selection_query(everyone, chosen, among),
            duration,
            context["clock"],
        )
        context |= {
            "result": result,
            "actions": actions,
            "shown_more": shown + find_time.SLOT_LIMIT,
        }
    if not wants_partial(request):
        # find_time read exactly the chosen members of the organization, unless everyone.
        known = (
            None if everyone or among or "result" not in context else context["result"].considered
        )
        context |= _picker(context["org"], context["q"], chosen, known)
    return render_page(request, "dashboard/find_time.html", "find-panel", context)


@require_GET
@require_team_admin
def find_a_time_members(request: HtmxHttpRequest) -> HttpResponse:
    """The picker alone, for its search box: chips of the chosen, members matching ``q``."""
    org = request.viewer.membership.organization
    context = _picker(org, search_param(request), _chosen(request))
    return render(request, "dashboard/find_time.html#member-picker", context)
