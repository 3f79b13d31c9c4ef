"""Keeps query strings out of every log line: an OAuth callback's carries the
authorization code (``?code=…&state=…``), and no log should ever hold one.

``ops.logs.AccessLogMiddleware`` logs ``request.path`` only. Two other sources would print
the whole URL, and this filter (on the stdout handler and the ``django.server`` logger,
``ops.logs.logging_config``) takes the query out of both:

- ``runserver``'s request lines (the ``django.server`` logger of the demo: ``"GET
  /accounts/calendly/login/callback/?code=… HTTP/1.1" 302 0``, and the lines it logs about
  a malformed request);
- the ``request`` Django attaches to a record about a 4xx or 5xx answer (``django.request``),
  which a JSON formatter writes out as ``<WSGIRequest: GET '/…?code=…'>``.
"""

from __future__ import annotations

import logging
import re

# From a "?" to the end of the URL: the " HTTP/1.1" of a request line, a closing quote, or
# the end of the text.
_QUERY = re.compile(r"\?.*?(?=\s+HTTP/|['\"]|$)")


def without_query(text: str) -> str:
    return _QUERY.sub("", text)


class NoQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.server":
            if isinstance(record.msg, str):
                record.msg = without_query(record.msg)
            if isinstance(record.args, tuple):
                record.args = tuple(
                    without_query(a) if isinstance(a, str) else a for a in record.args
                )
        request = getattr(record, "request", None)
        # An HttpRequest (duck-typed: settings import this before Django is set up).
        if hasattr(request, "get_full_path") and hasattr(request, "path"):
            record.request = f"<{type(request).__name__}: {request.method} {request.path!r}>"
        return True
