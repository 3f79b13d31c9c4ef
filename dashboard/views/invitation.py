"""A found time's .ics invitation, for owners and admins: the people the search compared
(of the viewer's own organization only), at the time and for the length asked."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from availability.models import CalendlyUser
from dashboard import clock, invitation, people_sets, slot_actions, team_page
from dashboard.access import require_team_admin
from dashboard.find_time import FoundSlot
from dashboard.views.common import HtmxHttpRequest
from dashboard.views.find_time import duration_param, selection

# A meeting is invited to from now to a day past the synced horizon at most: any later
# time is no time a search proposed (and a year 9999 would overflow).
LATEST = timedelta(days=1)


def _refuse(request: HtmxHttpRequest, reason: str) -> HttpResponse:
    return render(request, "dashboard/bad_request.html", {"reason": reason}, status=400)


def _start(text: str | None, now: datetime) -> tuple[datetime | None, str]:
    """The meeting's start: an ISO 8601 moment with its offset, not past, not far off."""
    try:
        start = datetime.fromisoformat(text or "")
    except ValueError:
        return None, "The meeting's start is missing or not a date and time (ISO 8601)."
    if start.tzinfo is None:
        return None, "The meeting's start has no UTC offset, so it is no moment in time."
    if start < now:
        return None, "That time has started or is over: search again for a time ahead."
    if start > now + timedelta(days=settings.SYNC_HORIZON_DAYS) + LATEST:
        return None, "That time is past the synced data: no search proposes it."
    return start, ""


def _people(request: HtmxHttpRequest, org) -> list[CalendlyUser]:
    """The organization's members the search compared; anyone else asked for is no one."""
    among, _ = people_sets.chosen(org, request.GET.get("among"))
    _, _, considered = selection(request, among)
    users = CalendlyUser.objects.filter(memberships__organization=org)
    if considered is not None:
        users = users.filter(pk__in=considered)
    return list(team_page.by_name(users))


@require_GET
@require_team_admin
def find_a_time_invitation(request: HtmxHttpRequest) -> HttpResponse:
    now = timezone.now()
    start, problem = _start(request.GET.get("start"), now)
    duration = duration_param(request)
    if start is None:
        return _refuse(request, problem)
    if duration is None:
        return _refuse(request, "The meeting's length is not one find-a-time offers.")
    people = _people(request, request.viewer.membership.organization)
    if not people:
        return _refuse(request, "Nobody of your organization is invited, so there is no meeting.")
    organizer = request.viewer.calendly_user
    slot = FoundSlot(start, start + timedelta(minutes=duration), people, [])
    notation = clock.notation_for(request, organizer.time_notation)
    text = slot_actions.message(slot, slot_actions.by_zone(people), duration, notation)
    body = invitation.invitation(
        organizer,
        people,
        start,
        duration,
        now,
        request.get_host().split(":")[0] or "localhost",
        text,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invitation.file_name(start)}"'
    return response
