"""The instants .ci/run moves every process's clock to: one line each, "name<TAB>UTC time".

Each is the next one after the real time, so the run never goes back in time and every
kind of instant is met again every year: the weekend and the small hours in far-away
zones, the Saturday and Sunday of Berlin's and New York's clock changes, New Year's Eve.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def next_weekly(now: datetime, weekday: int, at: time, zone: str) -> datetime:
    """The next ``weekday`` at wall-clock ``at`` in ``zone``, after ``now``."""
    tz = ZoneInfo(zone)
    day = now.astimezone(tz).date()
    while True:
        moment = datetime.combine(day, at, tz)
        if day.weekday() == weekday and moment > now:
            return moment.astimezone(UTC)
        day += timedelta(days=1)


def clock_changes(zone: str, after: datetime) -> list[tuple[str, date]]:
    """("autumn" | "spring", the Sunday of it): the next change of each kind in ``zone``."""
    tz = ZoneInfo(zone)
    found: dict[str, date] = {}
    day = after.astimezone(tz).date()
    for _ in range(800):
        before = datetime.combine(day, time(0), tz).utcoffset()
        later = datetime.combine(day + timedelta(days=1), time(0), tz).utcoffset()
        if before != later:
            found.setdefault("spring" if later > before else "autumn", day)
        if len(found) == 2:
            break
        day += timedelta(days=1)
    return sorted(found.items(), key=lambda item: item[1])


def instants(now: datetime) -> list[tuple[str, datetime]]:
    chosen = [
        ("saturday-0300-utc", next_weekly(now, 5, time(3), "UTC")),
        ("sunday-2330-utc", next_weekly(now, 6, time(23, 30), "UTC")),
        ("monday-0005-auckland", next_weekly(now, 0, time(0, 5), "Pacific/Auckland")),
        ("friday-2355-los-angeles", next_weekly(now, 4, time(23, 55), "America/Los_Angeles")),
    ]
    for zone, short in (("Europe/Berlin", "berlin"), ("America/New_York", "new-york")):
        tz = ZoneInfo(zone)
        for season, sunday in clock_changes(zone, now):
            saturday = sunday - timedelta(days=1)
            # Saturday evening (the week ahead holds the change) and Sunday after it.
            chosen.append((f"{short}-{season}-saturday",
                           datetime.combine(saturday, time(21), tz).astimezone(UTC)))
            chosen.append((f"{short}-{season}-sunday",
                           datetime.combine(sunday, time(12), tz).astimezone(UTC)))
    chosen.append(("wednesday-1500-berlin", next_weekly(now, 2, time(15), "Europe/Berlin")))
    year = now.year if now < datetime(now.year, 12, 31, 23, 50, tzinfo=UTC) else now.year + 1
    chosen.append(("new-years-eve-2350-utc", datetime(year, 12, 31, 23, 50, tzinfo=UTC)))
    return chosen


# Not among the instants: `make screenshots` takes it, CI need not.
EXTRA = {"wednesday-1500-berlin"}

if __name__ == "__main__":
    only = set(sys.argv[1:])
    for name, moment in instants(datetime.now(UTC)):
        if name in only or (not only and name not in EXTRA):
            print(f"{name}\t{moment:%Y-%m-%d %H:%M:%S}")
