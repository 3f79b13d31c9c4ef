"""My week (and a member's week): the week grid, event-type slots and the sync panel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event

from accounts.calendly_connection import calendly_profile, credential_for
from dashboard import clock, markup, week_page
from dashboard.access import member_for_viewer, viewer_for
from dashboard.views.common import (
    HtmxHttpRequest,
    display_zone,
    int_param,
    remembered_zone,
    wants_partial,
    week_problem,
    zone_chosen,
)
from dashboard.views.copy_times import COPY_DEFAULT
from sync import panel

SESSION_SYNC = "sync_run_id"


def _sync_context(request) -> dict:
    """The sync panel: the run "Sync now" started while it goes, else the latest run."""
    credential = credential_for(request.user)
    if credential is None:
        return {"sync": None}
    zone = remembered_zone(request, None)
    status = panel.sync_status(credential, request.session.get(SESSION_SYNC), zone)
    return {"sync": status, "sync_polling": status.running}


@require_GET
@login_required
@vary_on_headers("HX-Request")
def my_week(request: HtmxHttpRequest, member_id: int | None = None) -> HttpResponse:
    viewer = viewer_for(request.user)
    zone, zone_error = display_zone(request, viewer)
    context = {
        "zone": zone,
        "zone_error": zone_error,
        "zone_chosen": zone_chosen(request),
        "zone_options": markup.zone_options(zone),
        "own_week": True,
        "profile": calendly_profile(request.user),
    }
    if viewer is None:
        if member_id is not None:
            raise Http404("No such member.")
        context |= _sync_context(request) | {"reload_when_done": True}
        return render(request, "dashboard/week.html", context)
    # /week/0/ names nobody: a 404 like any other unknown id, not the viewer's own week.
    member = viewer.calendly_user if member_id is None else member_for_viewer(viewer, member_id)
    now = timezone.now()
    requested = week_page.parse_week(request.GET.get("week"))
    nav = week_page.viewer_week_nav(viewer.calendly_user, requested, zone, now)
    own = member.pk == viewer.calendly_user.pk
    calendly_clock = viewer.calendly_user.time_notation or context["profile"].get("time_notation")
    notation = clock.notation_for(request, calendly_clock or "")
    event_type = int_param(request.GET.get("event_type"))
    page = week_page.week_page(member, nav, zone, event_type, now, notation, own=own)
    context |= {
        "page": page,
        "viewer": viewer,
        "own_week": own,
        "clock": notation,
        "clock_chosen": clock.chosen(request),
        "calendly_clock": calendly_clock if calendly_clock in clock.NOTATIONS else "",
        "copy_count": COPY_DEFAULT,
        "week_error": week_problem(request.GET.get("week"), nav),
    }
    if wants_partial(request):
        return render(request, "dashboard/week.html#week-panel", context)
    return render(request, "dashboard/week.html", context | _sync_context(request))


@require_POST
@login_required
def sync_now(request: HtmxHttpRequest) -> HttpResponse:
    """Starts a sync of the signed-in user and answers with the progress panel, which polls."""
    credential = credential_for(request.user)
    error = note = ""
    if credential is None:
        raise Http404("Calendly is not connected.")
    if credential.is_active:
        try:
            request.session[SESSION_SYNC] = panel.start_sync(credential).pk
        except panel.AlreadySyncing as going:
            request.session[SESSION_SYNC] = going.run.pk
            note = str(going)
        except panel.SyncUnavailable as problem:
            error = str(problem)
    if not request.htmx:
        return redirect("dashboard:week")
    context = _sync_context(request) | {
        "sync_start_error": error,
        "sync_note": note,
        "reload_when_done": request.POST.get("then") == "reload",
    }
    return render(request, "dashboard/week.html#sync-panel", context)


@require_GET
@login_required
def sync_progress(request: HtmxHttpRequest) -> HttpResponse:
    """What a polling progress panel asks every second. Once the run is over, the page redraws
    its week (or reloads, when it had nothing to show yet) and the panel stops polling."""
    if credential_for(request.user) is None:
        raise Http404("Calendly is not connected.")
    reload_when_done = request.GET.get("then") == "reload"
    context = _sync_context(request) | {"reload_when_done": reload_when_done}
    if context["sync_polling"]:
        return render(request, "dashboard/week.html#sync-panel", context)
    request.session.pop(SESSION_SYNC, None)
    if reload_when_done:
        return HttpResponseClientRefresh()
    response = render(request, "dashboard/week.html#sync-panel", context)
    return trigger_client_event(response, "week-refresh")
