"""Section 6: the pure free/busy functions over 1,000 members x 4 weeks, timed with timeit.

Synthetic but shaped like the sandbox's people: five time zones, split or long working
days on weekdays, a day off and a short day as date overrides, and each week a handful
of Calendly meetings (with buffers) and external blocks. Timed per week, for every
member: working time from the rules, busy time, free time and the week's totals
(what the team and hours pages compute); then per week, common slots of 30 minutes
and the free-count heatmap over all members (what find-a-time computes).
"""

from __future__ import annotations

import random
import statistics
import timeit
from datetime import UTC, date, datetime, timedelta

from availability import freebusy
from availability.intervals import Interval, week_bounds

ZONES = ("America/New_York", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney", "UTC")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")
SPLIT = [{"from": "09:00", "to": "12:00"}, {"from": "13:00", "to": "17:00"}]
LONG = [{"from": "08:00", "to": "16:00"}]


def _rules(index: int, first_monday: date) -> list[dict]:
    hours = SPLIT if index % 2 == 0 else LONG
    rules = [{"type": "wday", "wday": day, "intervals": hours if day in WEEKDAYS else []}
             for day in (*WEEKDAYS, "saturday", "sunday")]
    day_off = first_monday + timedelta(days=9 + index % 5)
    short = first_monday + timedelta(days=16 + index % 3)
    rules.append({"type": "date", "date": day_off.isoformat(), "intervals": []})
    rules.append({"type": "date", "date": short.isoformat(),
                  "intervals": [{"from": "10:00", "to": "14:00"}]})
    return rules


def _blocks(rng: random.Random, week: Interval) -> list[freebusy.BusyBlock]:
    blocks = []
    for _ in range(rng.randint(4, 10)):
        start = week.start + timedelta(days=rng.randrange(5), hours=rng.randrange(7, 17),
                                       minutes=rng.choice((0, 30)))
        end = start + timedelta(minutes=rng.choice((30, 60, 90)))
        if rng.random() < 0.6:
            blocks.append(freebusy.BusyBlock(start, end, kind="calendly",
                                             buffered_start=start - timedelta(minutes=5),
                                             buffered_end=end + timedelta(minutes=10)))
        else:
            blocks.append(freebusy.BusyBlock(start, end, kind="external"))
    return blocks


def dataset(members: int, weeks: int, seed: int = 7) -> tuple[list, list]:
    rng = random.Random(seed)
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    week_list = [week_bounds(monday + timedelta(weeks=w), "UTC") for w in range(weeks)]
    people = [(_rules(i, monday), ZONES[i % len(ZONES)], [_blocks(rng, w) for w in week_list])
              for i in range(members)]
    return people, week_list


def member_weeks(people: list, weeks: list[Interval]) -> list[dict]:
    """Free time and totals of every member in every week; the free time, by week."""
    free_by_week = []
    for w, week in enumerate(weeks):
        free = {}
        for i, (rules, zone, blocks) in enumerate(people):
            days = freebusy.working_days(rules, zone, week)
            working = [i for day in days for i in day.intervals]
            busy = freebusy.busy_intervals(blocks[w])
            free[str(i)] = freebusy.free_intervals(working, busy)
            freebusy.week_totals(working, blocks[w], week)
        free_by_week.append(free)
    return free_by_week


def common(free_by_week: list[dict], weeks: list[Interval]) -> None:
    for free, week in zip(free_by_week, weeks, strict=True):
        freebusy.common_slots(free, week, timedelta(minutes=30), min_free=max(1, len(free) // 2))
        freebusy.free_count_heatmap(free, week)


def run(members: int = 1000, weeks: int = 4, repeat: int = 5) -> dict:
    people, week_list = dataset(members, weeks)
    free_by_week = member_weeks(people, week_list)
    per_member = timeit.repeat(lambda: member_weeks(people, week_list), number=1, repeat=repeat)
    slots = timeit.repeat(lambda: common(free_by_week, week_list), number=1, repeat=repeat)
    member_weeks_total = members * weeks
    free_us = 1e6 * statistics.median(per_member) / member_weeks_total
    slots_us = 1e6 * statistics.median(slots) / member_weeks_total
    return {
        "members": members,
        "weeks": weeks,
        "repeat": repeat,
        "free_and_totals_us_per_member_week": round(free_us, 1),
        "common_slots_and_heatmap_us_per_member_week": round(slots_us, 1),
        "total_us_per_member_week": round(free_us + slots_us, 1),
        "free_and_totals_s": [round(t, 3) for t in per_member],
        "common_slots_s": [round(t, 3) for t in slots],
    }
