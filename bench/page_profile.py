"""The three pages of section 5 on a made-up organization, without the sandbox or a sync.

``python -m bench.page_profile --members 1000`` builds an organization of N members
directly in a SQLite database under ``var/page_profile/`` (per member: a default
schedule of weekday hours in one of nine zones, with a day off and a short day as date
overrides, and for a third of them an evening schedule; about 15 busy blocks over 4
weeks, Calendly bookings with buffers and names and external blocks; 2-3 event types),
signs an admin and a plain member in, and times "My week", the team page and
find-a-time (50 members) with Django's test client: median wall and CPU ms of
``--repeat`` requests, bytes and SQL queries per page. Then it writes a pyinstrument
profile per page to ``var/page_profile/<N>/<page>.txt``.

Not part of ``make bench`` nor of the test suite: a tool for working on the pages.
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import statistics
import sys
import time
import warnings
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = PROJECT_ROOT / "var" / "page_profile"
FIND_MEMBERS = 50
ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC",
         "America/Sao_Paulo", "Asia/Kolkata", "Europe/London", "America/Los_Angeles")
WORKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
DAYS = ("sunday", *WORKDAYS, "saturday")
SPLIT_DAY = [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "17:00"}]
LONG_DAY = [{"from": "08:00", "to": "16:00"}]
EVENING = [{"from": "18:00", "to": "21:00"}]
EVENT_NAMES = ("30 Minute Meeting", "15 Minute Chat", "Product demo", "Onboarding call")


def setup_django(members: int) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    os.environ.update({
        "DEBUG": "false",
        "SECRET_KEY": "page-profile-not-a-secret-0123456789-abcdefghijklmnop",
        # Fixed, so that a database kept from an earlier run still opens its credentials.
        "TOKEN_ENCRYPTION_KEYS": base64.urlsafe_b64encode(b"page-profile-key-not-a-secret-32").decode(),
        "ALLOWED_HOSTS": "testserver",
        "STATIC_MANIFEST": "false",
        "VAR_DIR": str(OUT_DIR),
        "DATABASE_URL": f"sqlite:///{OUT_DIR / f'db-{members}.sqlite3'}",
        "REDIS_URL": "",
        "LOG_LEVEL": "ERROR",
    })
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    import django

    django.setup()


# --- The organization -----------------------------------------------------------------------


def _rules(index: int, today: date) -> list[dict]:
    hours = SPLIT_DAY if index % 2 == 0 else LONG_DAY
    rules = [{"type": "wday", "wday": d, "intervals": hours if d in WORKDAYS else []} for d in DAYS]
    rules.append({"type": "date", "date": f"{today + timedelta(days=2 + index % 5)}", "intervals": []})
    rules.append({"type": "date", "date": f"{today + timedelta(days=9 + index % 3)}",
                  "intervals": [{"from": "10:00", "to": "14:00"}]})
    return rules


def _blocks(rng: random.Random, user, zone, monday: date, now: datetime) -> list:
    """About 15 busy blocks over 4 weeks, in the member's working hours or near them."""
    from availability.models import BusyBlock

    blocks = []
    for _ in range(rng.randint(12, 18)):
        day = monday + timedelta(days=rng.randrange(28))
        if day.weekday() > 4 and rng.random() < 0.8:
            continue
        start = datetime(day.year, day.month, day.day, rng.randint(7, 17), rng.choice((0, 15, 30)),
                         tzinfo=zone).astimezone(UTC)
        end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120)))
        booked = rng.random() < 0.6
        pad = timedelta(minutes=rng.choice((0, 5, 10))) if booked else timedelta()
        blocks.append(BusyBlock(
            user=user, type="calendly" if booked else "external", start=start, end=end,
            buffered_start=start - pad if pad else None, buffered_end=end + pad if pad else None,
            event_uri=f"https://api.example/scheduled_events/{user.pk}-{len(blocks)}" if booked else "",
            event_name=rng.choice(EVENT_NAMES) if booked else "", synced_at=now,
        ))
    return blocks


def build(members: int, seed: int = 9) -> None:
    """The organization, from scratch: users and memberships, schedules, busy blocks,
    event types, in bulk."""
    from zoneinfo import ZoneInfo

    from django.core.management import call_command
    from django.utils import timezone

    from availability.models import (
        AvailabilitySchedule,
        BusyBlock,
        CalendlyUser,
        EventType,
        Membership,
        Organization,
    )

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(seed)
    now = timezone.now()
    today = now.date()
    monday = today - timedelta(days=today.weekday())
    org = Organization.objects.create(uri="https://api.example/organizations/PROFILE",
                                      name="Profile Org", synced_at=now)
    users = CalendlyUser.objects.bulk_create(
        CalendlyUser(uri=f"https://api.example/users/U{i:05d}", name=f"Member {i:05d}",
                     email=f"user{i:05d}@profile.example", slug=f"member-{i:05d}",
                     timezone=ZONES[i % len(ZONES)], timezone_known=True, organization=org,
                     synced_at=now)
        for i in range(members)
    )
    roles = Membership.ADMIN_ROLES
    Membership.objects.bulk_create(
        Membership(uri=f"https://api.example/memberships/M{i:05d}", organization=org, user=u,
                   role=roles[i] if i < 2 else Membership.Role.USER, synced_at=now)
        for i, u in enumerate(users)
    )
    schedules, blocks, event_types = [], [], []
    for i, user in enumerate(users):
        schedules.append(AvailabilitySchedule(
            uri=f"https://api.example/user_availability_schedules/S{i:05d}", user=user,
            name="Working Hours", is_default=True, timezone=user.timezone, timezone_known=True,
            rules=_rules(i, today), synced_at=now))
        if i % 3 == 1:
            schedules.append(AvailabilitySchedule(
                uri=f"https://api.example/user_availability_schedules/E{i:05d}", user=user,
                name="Evening Hours", timezone=user.timezone, timezone_known=True,
                rules=[{"type": "wday", "wday": d, "intervals": EVENING} for d in WORKDAYS[:4]],
                synced_at=now))
        blocks += _blocks(rng, user, ZoneInfo(user.timezone), monday, now)
        for n, (name, minutes) in enumerate((("30 Minute Meeting", 30), ("15 Minute Chat", 15),
                                             ("60 Minute Evening Session", 60))[: 2 + (i % 3 == 1)]):
            event_types.append(EventType(
                uri=f"https://api.example/event_types/T{i:05d}-{n}", owner=user, organization=org,
                name=name, duration=minutes, kind="solo", position=n, synced_at=now,
                scheduling_url=f"https://calendly.example/member-{i:05d}/{minutes}"))
    AvailabilitySchedule.objects.bulk_create(schedules, batch_size=500)
    BusyBlock.objects.bulk_create(blocks, batch_size=1000)
    EventType.objects.bulk_create(event_types, batch_size=500)


def sign_in(index: int):
    """A dashboard user with an active credential for member ``index``, on a test client."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from accounts.models import CalendlyCredential
    from availability.models import CalendlyUser

    member = CalendlyUser.objects.get(uri=f"https://api.example/users/U{index:05d}")
    user, _ = get_user_model().objects.get_or_create(username=f"profile-{index}")
    CalendlyCredential.objects.update_or_create(
        calendly_user_uri=member.uri,
        defaults={"user": user, "organization_uri": member.organization.uri,
                  "access_token": "access", "refresh_token": "refresh",
                  "access_expires_at": timezone.now() + timedelta(days=365),
                  "last_synced_at": timezone.now()},
    )
    client = Client()
    client.force_login(user)
    return client


def ready(members: int, rebuild: bool) -> None:
    """Builds the database unless one of today, of this size, is there already."""
    from django.db import connection

    stamp = OUT_DIR / f"db-{members}.built"
    if not rebuild and stamp.exists() and stamp.read_text() == f"{date.today()}":
        return
    connection.close()
    for suffix in ("", "-wal", "-shm", "-journal"):
        (OUT_DIR / f"db-{members}.sqlite3{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    build(members)
    stamp.write_text(f"{date.today()}")
    print(f"built {members} members in {time.perf_counter() - started:.1f} s")


# --- Measuring ------------------------------------------------------------------------------


def pages() -> list[dict]:
    from availability.models import CalendlyUser

    admin, member = sign_in(1), sign_in(2)
    chosen = (CalendlyUser.objects.filter(memberships__organization__name="Profile Org")
              .order_by("name", "email").values_list("pk", flat=True)[:FIND_MEMBERS])
    find = "/team/find-a-time/?" + urlencode([("duration", 30), *(("member", pk) for pk in chosen)])
    return [
        {"name": "my_week", "path": "/week/", "client": member},
        {"name": "team", "path": "/team/", "client": admin},
        {"name": "find_a_time", "path": find, "client": admin},
    ]


def measure(page: dict, repeat: int) -> dict:
    from django.db import connection

    client = page["client"]
    for _ in range(2):
        answer = client.get(page["path"])
    if answer.status_code != 200:
        raise SystemExit(f"{page['name']} answered {answer.status_code}")
    queries = []  # Django empties connection.queries at each request: count them as they run.
    with connection.execute_wrapper(lambda execute, sql, *rest: queries.append(sql) or execute(sql, *rest)):
        client.get(page["path"])
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(page["path"])
        cpus.append(1000 * (time.process_time() - cpu))
        walls.append(1000 * (time.perf_counter() - wall))
    return {"ms": statistics.median(walls), "cpu_ms": statistics.median(cpus),
            "bytes": len(answer.content), "queries": len(queries)}


def profile(page: dict, repeat: int, out: Path) -> Path:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    with profiler:
        for _ in range(repeat):
            page["client"].get(page["path"])
    path = out / f"{page['name']}.txt"
    path.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.page_profile", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=20, help="timed requests per page")
    parser.add_argument("--profile-repeat", type=int, default=10, help="profiled requests per page")
    parser.add_argument("--rebuild", action="store_true", help="build the database afresh")
    parser.add_argument("--pages", default="my_week,team,find_a_time")
    args = parser.parse_args(argv)
    setup_django(args.members)
    ready(args.members, args.rebuild)
    out = OUT_DIR / str(args.members)
    out.mkdir(parents=True, exist_ok=True)
    wanted = args.pages.split(",")
    chosen = [p for p in pages() if p["name"] in wanted]
    print(f"{args.members} members, median of {args.repeat} requests")
    print(f"{'page':<12} {'ms':>8} {'cpu ms':>8} {'bytes':>9} {'queries':>8}")
    for page in chosen:
        m = measure(page, args.repeat)
        print(f"{page['name']:<12} {m['ms']:8.1f} {m['cpu_ms']:8.1f} {m['bytes']:9d} {m['queries']:8d}")
    for page in chosen:
        print(f"profile: {profile(page, args.profile_repeat, out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
