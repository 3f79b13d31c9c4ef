"""The webhook receiver, and the tiny endpoint an open week page polls to redraw itself."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from dashboard.access import member_for_viewer, viewer_for
from webhooks import live, receiver, signature, tasks

log = logging.getLogger(__name__)


@csrf_exempt  # Calendly signs its deliveries; it has no CSRF token to send
@require_POST
def calendly(request: HttpRequest) -> HttpResponse:
    """Verifies and records a delivery and queues its re-sync; never calls Calendly."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    # ASCII digits of a bounded size: "²".isdigit() holds, and int() refuses 4,300 digits.
    if not receiver.LENGTH.fullmatch(length) or int(length) > receiver.MAX_BODY_BYTES:
        verdict = receiver.Verdict(413, "body too large or of unknown length")
    else:
        verdict = receiver.judge(request.headers.get(signature.HEADER), request.body)
    if verdict.status >= 400:
        log.warning(
            "Calendly webhook refused with %s: %s (from %s, %s bytes)",
            verdict.status,
            verdict.logged,
            request.META.get("REMOTE_ADDR", "?"),
            length,
        )
    elif verdict.delivery_id is not None:
        delivery_id = verdict.delivery_id
        transaction.on_commit(lambda: tasks.handle_delivery.delay(delivery_id))
    else:
        log.info("Calendly webhook answered %s: %s", verdict.status, verdict.detail)
    return JsonResponse({"detail": verdict.detail}, status=verdict.status)


@require_GET
@login_required
def changes(request: HttpRequest, member_id: int) -> HttpResponse:
    """204 while the member's calendar is as the page shows it (version ``v``); otherwise
    the poller with the new version and an HX-Trigger ``week-refresh`` the week panel
    listens for."""
    viewer = viewer_for(request.user)
    if viewer is None:
        return HttpResponse(status=204)
    member = member_for_viewer(viewer, member_id)
    version = live.version(member)
    if request.GET.get("v") == version:
        return HttpResponse(status=204)
    context = {"member": member, "version": version, "interval": live.poll_seconds()}
    response = render(request, "webhooks/_live_updates.html", context)
    return trigger_client_event(response, "week-refresh")
