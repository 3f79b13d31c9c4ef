"""Hours, for owners and admins: each member's working, past, busy and free hours of a week,
sortable, with the weeks around it as a chart and a nudge for the flagged; the same as CSV,
for the week or (``?from=&to=``) a range of weeks."""

from __future__ import annotations

import csv
import unicodedata

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard import hours_page, hours_trend, team_page
from dashboard.access import require_team_admin
from dashboard.views.common import HtmxHttpRequest, render_page, team_context

SORT_COLUMNS = [
    ("name", "Member"),
    ("working", "Working h"),
    ("past", "Past h"),
    ("busy", "Busy h"),
    ("free", "Free h"),
    ("scheduled", "Scheduled h"),
    ("share", "Free share"),
]


@require_GET
@require_team_admin
@vary_on_headers("HX-Request")
def team_hours(request: HtmxHttpRequest) -> HttpResponse:
    context = team_context(request)
    sort = request.GET.get("sort", "name")
    rows = team_page.hours_rows(
        context["org"], context["nav"].monday, context["now"], context["threshold"],
        context["q"], sort, context["among"],
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    lines = hours_page.lines(
        list(page.object_list), context["nav"].monday, context["now"], context["threshold"]
    )
    around = hours_trend.around(context["nav"].monday)
    context |= {"sort": sort, "sort_columns": SORT_COLUMNS, "page_obj": page, "lines": lines,
                "weeks_around": hours_trend.WEEKS_AROUND, "range_from": around[0],
                "range_to": around[-1], "max_range_weeks": hours_trend.MAX_RANGE_WEEKS}
    return render_page(request, "dashboard/team_hours.html", "hours-panel", context)


@require_GET
@require_team_admin
def team_hours_csv(request: HtmxHttpRequest) -> HttpResponse:
    context = team_context(request)
    rows = team_page.hours_rows(
        context["org"], context["nav"].monday, context["now"], context["threshold"],
        context["q"], request.GET.get("sort", "name"), context["among"],
    )
    among = f"-{slugify(context['among'].name)}" if context["among"] else ""
    if "from" in request.GET or "to" in request.GET:
        return _range_csv(request, context, rows, among)
    response = _csv_response(f"hours-{context['nav'].monday:%Y-%m-%d}{among}.csv")
    writer = csv.writer(response)
    # Past hours are over; busy, free, scheduled and the share cover the rest of the week.
    writer.writerow(["name", "email", "working_hours", "past_hours", "busy_hours", "free_hours",
                     "scheduled_hours", "free_share", "needs_more_availability", "problem"])
    for row in rows:
        t = row.totals
        writer.writerow([_cell(row.member.name), _cell(row.member.email), f"{t.working_hours:.2f}",
                         f"{t.past_hours:.2f}", f"{t.busy_hours:.2f}", f"{t.free_hours:.2f}",
                         f"{t.scheduled_hours:.2f}", f"{t.free_share:.2f}",
                         "yes" if row.needs_more else "no", _cell(row.problem)])
    return response


def _range_csv(request: HtmxHttpRequest, context: dict, rows: list, among: str) -> HttpResponse:
    """One row per member and week of ``?from=``..``?to=``: long, so a spreadsheet filters
    and pivots it as it is."""
    try:
        mondays = hours_trend.week_range(
            request.GET.get("from"), request.GET.get("to"), context["nav"].first
        )
    except hours_trend.BadRange as error:
        return HttpResponseBadRequest(f"{error}\n", content_type="text/plain; charset=utf-8")
    response = _csv_response(f"hours-{mondays[0]:%Y-%m-%d}-to-{mondays[-1]:%Y-%m-%d}{among}.csv")
    writer = csv.writer(response)
    writer.writerow(hours_page.RANGE_HEADER)
    writer.writerows(
        hours_page.range_rows(rows, mondays, context["now"], context["threshold"], _cell)
    )
    return response


def _csv_response(name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The first characters that make a spreadsheet read a cell as a formula (OWASP's CSV
# injection list: = + - @ TAB CR; LF too). Compared after NFKC, so fullwidth and small look-alikes
# (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫), which some spreadsheets also take as formulas, count too.
FORMULA_STARTS = frozenset("=+-@\t\r\n")


def _cell(text: str) -> str:
    """A spreadsheet must not read a member's name as a formula: such a cell is prefixed with '."""
    if text and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_STARTS:
        return f"'{text}"
    return text
