"""The one check of a URL before the bearer token goes to it: the configured API base, and
every URL Calendly hands us to follow (``next_page``, a resource's ``uri``, a webhook's
``payload.event``) read as the sender reads it and rebuilt on that base."""

from __future__ import annotations

import re

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from calendly.errors import UntrustedURL

# Characters a URL from Calendly never needs and that parsers read differently: controls and
# space, backslash (a path separator to browsers and urllib3, userinfo to urlsplit), "@"
# (userinfo), "#" (a fragment is never sent, so it can only hide a host from one parser).
_AMBIGUOUS = re.compile(r"[\x00-\x20\x7f\\@#]")
_AMBIGUOUS_IN_QUERY = re.compile(r"[\x00-\x20\x7f\\#]")  # past "?", "@" names no host
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _origin(scheme: str | None, host: str | None, port: int | None) -> tuple[str, str, int]:
    scheme = (scheme or "").lower()
    return scheme, (host or "").lower().strip("[]"), port or _DEFAULT_PORTS.get(scheme, -1)


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) as urllib3, and so requests, reads them."""
    try:
        parsed = parse_url(url)
    except LocationParseError:
        return "", "", -1
    return _origin(parsed.scheme, parsed.host, parsed.port)


def _within(path: str, base_path: str) -> bool:
    """``path`` is under the API's base path and climbs out of nowhere (no dot segments,
    plain or percent-encoded, which a server or proxy may resolve after our check)."""
    if base_path and path != base_path and not path.startswith(base_path + "/"):
        return False
    segments = path.lower().replace("%2e", ".").split("/")
    return "%2f" not in path.lower() and not any(s in (".", "..") for s in segments)


class ApiBase:
    """The configured API base URL: its origin, root and path, read once."""

    def __init__(self, base_url: str) -> None:
        base = parse_url(base_url)
        self.origin = _origin(base.scheme, base.host, base.port)
        self.root = f"{base.scheme}://{base.netloc}"
        self.path = (base.path or "").rstrip("/")

    def checked(self, path_or_url: object) -> str:
        """An absolute URL on the API's host, or ``UntrustedURL``: checked before any token goes.

        Calendly hands us URLs to follow (``next_page``, a resource's ``uri``, a webhook's
        ``payload.event``), so each is read with urllib3's parser, the one requests sends
        with: ``urlsplit`` reads ``http://evil\\@api.calendly.com/`` as Calendly's host
        where urllib3 connects to ``evil``. Anything the two could read differently
        (backslashes, ``@``, control characters, spaces, fragments, non-ASCII) is refused,
        and what is sent is rebuilt from the configured base and the checked path and query.
        """
        url = path_or_url if isinstance(path_or_url, str) else repr(path_or_url)
        head, _, query = url.partition("?")
        if (
            not isinstance(path_or_url, str)
            or not url.isascii()
            or _AMBIGUOUS.search(head)
            or _AMBIGUOUS_IN_QUERY.search(query)
        ):
            raise _untrusted(url)
        if head.startswith("/") and not head.startswith("//"):
            path = self.path + head
        else:
            try:
                parsed = parse_url(url)
            except LocationParseError:
                raise _untrusted(url) from None
            if parsed.auth or _origin(parsed.scheme, parsed.host, parsed.port) != self.origin:
                raise _untrusted(url)
            path, query = parsed.path or "/", parsed.query or ""
        if not _within(path, self.path):
            raise _untrusted(url)
        return f"{self.root}{path}" + (f"?{query}" if query else "")


def _untrusted(url: str) -> UntrustedURL:
    shown = url if len(url) <= 200 else url[:200] + "…"
    return UntrustedURL(
        f"Refusing to send the Calendly token to {shown!r}", title="Untrusted URL", url=shown
    )
