"""Who may see whose calendar: a person sees their own week; owners and admins see their team.

A member of another organization is answered with 404, never 403, so that ids of
other organizations' people reveal nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.calendly_connection import credential_for
from availability.models import CalendlyUser, Membership


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in person as Calendly knows them, and their place in their organization."""

    calendly_user: CalendlyUser
    membership: Membership | None

    @property
    def is_team_admin(self) -> bool:
        return self.membership is not None and self.membership.can_administer


def viewer_calendly_user(user) -> CalendlyUser | None:
    """The Calendly user behind a dashboard user, once a sync has stored them."""
    credential = credential_for(user)
    if credential is None:
        return None
    return CalendlyUser.objects.filter(uri=credential.calendly_user_uri).first()


def membership_for(calendly_user: CalendlyUser) -> Membership | None:
    """Their membership (and role) in their current organization, with the organization."""
    memberships = Membership.objects.select_related("organization").filter(user=calendly_user)
    if calendly_user.organization_id:
        memberships = memberships.filter(organization_id=calendly_user.organization_id)
    return memberships.order_by("pk").first()


def viewer_for(user) -> Viewer | None:
    calendly_user = viewer_calendly_user(user)
    if calendly_user is None:
        return None
    return Viewer(calendly_user, membership_for(calendly_user))


def member_for_viewer(viewer: Viewer, member_id: int) -> CalendlyUser:
    """The member whose week the viewer may open: themselves, or anyone in an organization
    they administer. Anyone else is a 404."""
    if member_id == viewer.calendly_user.pk:
        return viewer.calendly_user
    if not viewer.is_team_admin:
        raise Http404("No such member.")
    member = CalendlyUser.objects.filter(
        pk=member_id, memberships__organization_id=viewer.membership.organization_id
    ).first()
    if member is None:
        raise Http404("No such member.")
    return member


def forbidden_team(request: HttpRequest, viewer: Viewer | None) -> HttpResponse:
    """The 403 page of the team views: says why, shows nothing of the team."""
    if viewer is None:
        reason = "Your Calendly data has not been synced yet, so we cannot tell your role."
    elif viewer.membership is None:
        reason = "You are not part of a Calendly organization."
    else:
        reason = (
            "The team page is for owners and admins of your Calendly organization; "
            f"you are a {viewer.membership.get_role_display().lower()}."
        )
    return render(request, "dashboard/forbidden.html", {"reason": reason}, status=403)


def require_team_admin(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed-in owners and admins only; the view gets ``request.viewer``."""

    @login_required
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        viewer = viewer_for(request.user)
        if viewer is None or not viewer.is_team_admin:
            return forbidden_team(request, viewer)
        request.viewer = viewer
        return view(request, *args, **kwargs)

    return wrapper
