"""Times of day as the viewer reads them: 12-hour ("9:30am", as Calendly writes them) or
24-hour ("09:30"). The notation is the viewer's Calendly ``time_notation`` unless they
chose another on a page (``?clock=``, remembered for the session like the time zone)."""

from __future__ import annotations

from datetime import datetime

H12, H24 = "12h", "24h"
NOTATIONS = (H12, H24)
# Before the viewer's own sync has read their notation: the 24-hour clock the pages
# always used, rather than guessing Calendly's default for someone we have not read.
UNKNOWN = H24
SESSION_CLOCK = "display_clock"


def clock(moment: datetime, notation: str) -> str:
    return minute_clock(moment.hour * 60 + moment.minute, notation)


def minute_clock(minute: int, notation: str) -> str:
    """Minutes after midnight as a time of day; 1440 (the end of a day) is "24:00" on a
    24-hour clock and "12:00am" on a 12-hour one."""
    hour, rest = divmod(minute, 60)
    if notation != H12:
        return f"{hour:02d}:{rest:02d}"
    suffix = "am" if hour % 24 < 12 else "pm"
    return f"{(hour % 12) or 12}:{rest:02d}{suffix}"


def hour_label(hour: int, notation: str) -> str:
    """A grid row's label: "09:00", or "9am" (no minutes: the rows are whole hours)."""
    if notation != H12:
        return f"{hour:02d}:00"
    return f"{(hour % 12) or 12}{'am' if hour % 24 < 12 else 'pm'}"


def chosen(request) -> str:
    """What the viewer picked with ``?clock=12h|24h`` (remembered), "" for Calendly's: a
    ``?clock=calendly`` forgets the choice."""
    asked = request.GET.get("clock")
    if asked in NOTATIONS:
        request.session[SESSION_CLOCK] = asked
    elif asked is not None:
        request.session.pop(SESSION_CLOCK, None)
    remembered = request.session.get(SESSION_CLOCK, "")
    return remembered if remembered in NOTATIONS else ""


def notation_for(request, calendly_notation: str) -> str:
    return chosen(request) or (calendly_notation if calendly_notation in NOTATIONS else UNKNOWN)
