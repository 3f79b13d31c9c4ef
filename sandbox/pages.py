"""Stand-ins for the human pages Calendly links to (booking, cancel, reschedule), so every
URI the sandbox hands out can be followed."""

from __future__ import annotations

import html

from werkzeug.wrappers import Response

from sandbox.core import Ctx

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><main><h1>{title}</h1><p>{text}</p></main></body></html>"""


def _page(title: str, text: str) -> Response:
    return Response(PAGE.format(title=html.escape(title), text=html.escape(text)),
                    mimetype="text/html")


def home(ctx: Ctx) -> Response:
    counts = ctx.state.counts()
    return _page("Calendly sandbox", f"A Calendly-compatible server for tests and the demo: "
                 f"OAuth at /oauth/..., API v2 at the root, control at /_sandbox/. "
                 f"{counts['users']} users in {counts['organizations']} organizations.")


def scheduling(ctx: Ctx, rest: str) -> Response:
    return _page("Booking page (sandbox)", f"The sandbox's stand-in for calendly.com/{rest}; "
                 "book through POST /_sandbox/bookings or manage.py sandbox_book.")


def invitee_link(ctx: Ctx, uuid: str) -> Response:
    return _page("Invitee link (sandbox)", f"Cancel or reschedule invitee {uuid} through "
                 "the sandbox's control endpoints.")


ROUTES = [
    ("/", ["GET"], home),
    ("/scheduling/<path:rest>", ["GET"], scheduling),
    ("/cancellations/<uuid>", ["GET"], invitee_link),
    ("/reschedulings/<uuid>", ["GET"], invitee_link),
]
