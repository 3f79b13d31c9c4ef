"""Copy times: the first N bookable times of an event type as text to paste, in a zone."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from accounts.calendly_connection import calendly_profile
from availability.models import EventType
from dashboard import clock, week_page
from dashboard.access import Viewer, member_for_viewer, viewer_for
from dashboard.views.common import HtmxHttpRequest, display_zone, int_param

COPY_DEFAULT, COPY_MAX = 5, 30


def _event_type_for_viewer(viewer: Viewer | None, event_type_id: int | None) -> EventType:
    """An event type owned or hosted by a member the viewer may open; else a 404."""
    event_type = EventType.objects.filter(pk=event_type_id).first()
    if viewer is None or event_type is None:
        raise Http404("No such event type.")
    people = [event_type.owner_id, *event_type.hosts.values_list("pk", flat=True)]
    for person in dict.fromkeys(p for p in people if p is not None):
        try:
            member_for_viewer(viewer, person)
        except Http404:
            continue
        return event_type
    raise Http404("No such event type.")


@require_GET
@login_required
@vary_on_headers("HX-Request")
def copy_times(request: HtmxHttpRequest) -> HttpResponse:
    """The first N bookable times of an event type as text to paste, in a chosen zone."""
    if not request.GET.get("event_type", "").strip():
        # Asked for without saying which event type: say what is needed, not a bare 404.
        return render(request, "dashboard/copy_times_missing.html", status=400)
    viewer = viewer_for(request.user)
    event_type = _event_type_for_viewer(viewer, int_param(request.GET.get("event_type")))
    zone, zone_error = display_zone(request, viewer, remember=False)
    count = min(max(int_param(request.GET.get("n")) or COPY_DEFAULT, 1), COPY_MAX)
    calendly_clock = viewer.calendly_user.time_notation or calendly_profile(request.user).get(
        "time_notation", ""
    )
    notation = clock.notation_for(request, calendly_clock)
    text = week_page.first_available(event_type, count, zone, timezone.now(), notation)
    if request.GET.get("format") == "text":
        return HttpResponse(text, content_type="text/plain; charset=utf-8")
    context = {
        "event_type": event_type,
        "text": text,
        # Tall enough for every line and a wrapped link, so nothing hides behind a scroll.
        "text_rows": max(4, text.count("\n") + 3),
        "count": count,
        "zone": zone,
        "zone_error": zone_error,
    }
    template = "dashboard/copy_times.html"
    return render(request, f"{template}#copy-result" if request.htmx else template, context)
