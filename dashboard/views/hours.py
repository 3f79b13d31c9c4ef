"""Hours, for owners and admins: each member's working, past, busy and free hours of a week,
sortable, and the same as CSV."""

from __future__ import annotations

import csv
import unicodedata

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from dashboard import team_page
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
    context |= {"sort": sort, "sort_columns": SORT_COLUMNS, "page_obj": page, "rows": page.object_list}
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
    name = f"hours-{context['nav'].monday:%Y-%m-%d}{among}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
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


# The first characters that make a spreadsheet read a cell as a formula (OWASP's CSV
# injection list: = + - @ TAB CR; LF too). Compared after NFKC, so fullwidth and small look-alikes
# (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫), which some spreadsheets also take as formulas, count too.
FORMULA_STARTS = frozenset("=+-@\t\r\n")


def _cell(text: str) -> str:
    """A spreadsheet must not read a member's name as a formula: such a cell is prefixed with '."""
    if text and unicodedata.normalize("NFKC", text[0])[:1] in FORMULA_STARTS:
        return f"'{text}"
    return text
