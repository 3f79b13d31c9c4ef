"""The team week, for owners and admins: each member's week as a row of day cells."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard import team_page
from dashboard.access import require_team_admin
from dashboard.views.common import HtmxHttpRequest, int_param, render_page, team_context
from sync import priority

PAGE_SIZE = 25
FILTERS = {"": "All members", "needs_more": "Needs more availability", "not_connected": "Not connected"}


def _phone_day(request: HtmxHttpRequest, days: list[date], today: date) -> int:
    """The one day a phone shows of the week (``?day=0`` to 6): asked, else today when in
    the week, else Monday. Wider screens show all seven."""
    asked = int_param(request.GET.get("day"))
    if asked is not None and 0 <= asked < len(days):
        return asked
    return days.index(today) if today in days else 0


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def team_week(request: HtmxHttpRequest) -> HttpResponse:
    context = team_context(request)
    show = request.GET.get("show", "")
    rows = team_page.members(context["org"], context["q"])
    if context["among"]:
        rows = rows.filter(user__in=context["among"].users)
    if show == "not_connected":
        rows = team_page.not_connected(rows)
    elif show == "needs_more":
        weeks = team_page.org_weeks(context["org"], context["nav"].monday, context["now"],
                                    context["among"])
        needing = [pk for pk, (_, w) in weeks.items() if team_page.needs_more(w, context["threshold"])]
        rows = rows.filter(user_id__in=needing)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = list(page.object_list)
    priority.note_shown(context["org"].uri, [membership.user_id for membership in on_page])
    days = [context["nav"].monday + timedelta(days=i) for i in range(7)]
    context |= {
        "phone_day": (shown := _phone_day(request, days, context["today"])),
        "phone_date": days[shown],
        "phone_previous": shown - 1 if shown > 0 else None,
        "phone_next": shown + 1 if shown < 6 else None,
        "show": show,
        "filters": FILTERS,
        "page_obj": page,
        "rows": team_page.team_rows(
            on_page, context["nav"].monday, context["now"], context["zone"],
            context["clock"],
        ),
        "days": days,
    }
    return render_page(request, "dashboard/team.html", "team-panel", context)
