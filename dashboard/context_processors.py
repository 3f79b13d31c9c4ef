"""What every page's header needs from the dashboard: whether to offer the Team link."""

from __future__ import annotations

from functools import cache

from dashboard.access import viewer_for


def team_link(request) -> dict:
    """``show_team_link`` for owners and admins, on every page (the connection page too);
    worked out only when a template asks, at most once a request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def show() -> bool:
        viewer = viewer_for(user)
        return viewer is not None and viewer.is_team_admin

    return {"show_team_link": show}
