"""My week: the week grid, event-type slots, copyable times and the sync panel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, trigger_client_event
from django_htmx.middleware import HtmxDetails

from accounts.calendly_connection import calendly_profile, credential_for
from availability.intervals import UnknownTimeZone, resolve_zone
from availability.models import EventType
from dashboard import markup, week_page
from dashboard.access import Viewer, _get_member_for_viewer, viewer_for
from sync import panel

SESSION_ZONE = "display_timezone"
SESSION_SYNC = "sync_run_id"
COPY_DEFAULT, COPY_MAX = 5, 30


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
    if asked:
        try:
            zone = resolve_zone(asked).key
        except UnknownTimeZone:
            return _remembered_zone(request, viewer), f"“{asked}” is not a time zone we know."
        if remember:
            request.session[SESSION_ZONE] = zone
        return zone, ""
    return _remembered_zone(request, viewer), ""


def _remembered_zone(request, viewer: Viewer | None) -> str:
    try:
        return resolve_zone(request.session.get(SESSION_ZONE, "")).key
    except UnknownTimeZone:
        return _profile_zone(request, viewer)


def wants_partial(request: HtmxHttpRequest) -> bool:
    """An HTMX swap of the panel, not a whole page (a history restore needs the page)."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def _int(text: str | None) -> int | None:
    try:
        return int(text or "")
    except ValueError:
        return None


def _sync_context(request) -> dict:
    """The sync panel: the run "Sync now" started while it goes, else the latest run."""
    credential = credential_for(request.user)
    if credential is None:
        return {"sync": None}
    zone = _remembered_zone(request, None)
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
        "zone_options": markup.zone_options(zone),
        "own_week": True,
        "profile": calendly_profile(request.user),
    }
    if viewer is None:
        if member_id is not None:
            raise Http404("No such member.")
        context |= _sync_context(request) | {"reload_when_done": True}
        return render(request, "dashboard/week.html", context)
    member = _get_member_for_viewer(viewer, member_id) if member_id else viewer.calendly_user
    now = timezone.now()
    requested = week_page.parse_week(request.GET.get("week"))
    nav = week_page.viewer_week_nav(viewer.calendly_user, requested, zone, now)
    page = week_page.week_page(member, nav, zone, _int(request.GET.get("event_type")), now)
    context |= {
        "page": page,
        "viewer": viewer,
        "own_week": member.pk == viewer.calendly_user.pk,
        "show_team_link": viewer.is_team_admin,
        "copy_count": COPY_DEFAULT,
    }
    if wants_partial(request):
        return render(request, "dashboard/week.html#week-panel", context)
    return render(request, "dashboard/week.html", context | _sync_context(request))


def _event_type_for_viewer(viewer: Viewer | None, event_type_id: int | None) -> EventType:
    """An event type owned or hosted by a member the viewer may open; else a 404."""
    event_type = EventType.objects.filter(pk=event_type_id).first()
    if viewer is None or event_type is None:
        raise Http404("No such event type.")
    people = [event_type.owner_id, *event_type.hosts.values_list("pk", flat=True)]
    for person in dict.fromkeys(p for p in people if p is not None):
        try:
            _get_member_for_viewer(viewer, person)
        except Http404:
            continue
        return event_type
    raise Http404("No such event type.")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def copy_times(request: HtmxHttpRequest) -> HttpResponse:
    """The first N bookable times of an event type as text to paste, in a chosen zone."""
    viewer = viewer_for(request.user)
    event_type = _event_type_for_viewer(viewer, _int(request.GET.get("event_type")))
    zone, zone_error = display_zone(request, viewer, remember=False)
    count = min(max(_int(request.GET.get("n")) or COPY_DEFAULT, 1), COPY_MAX)
    text = week_page.first_available(event_type, count, zone, timezone.now())
    if request.GET.get("format") == "text":
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    context = {
        "event_type": event_type,
        "text": text,
        "count": count,
        "zone": zone,
        "zone_error": zone_error,
        "show_team_link": viewer.is_team_admin,
    }
    template = "dashboard/copy_times.html"
    return render(request, f"{template}#copy-result" if request.htmx else template, context)


@require_POST
@login_required
def sync_now(request: HtmxHttpRequest) -> HttpResponse:
    """Starts a sync of the signed-in user and answers with the progress panel, which polls."""
    credential = credential_for(request.user)
    error = ""
    if credential is None:
        raise Http404("Calendly is not connected.")
    if credential.is_active:
        try:
            request.session[SESSION_SYNC] = panel.start_sync(credential).pk
        except panel.SyncUnavailable as problem:
            error = str(problem)
    if not request.htmx:
        return redirect("dashboard:week")
    context = _sync_context(request) | {
        "sync_start_error": error,
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
