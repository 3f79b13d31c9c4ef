"""What only a user's own sync can read: their Calendly time notation (``/users/me``) and
their meeting limits (``/user_meeting_limits``, which answers 403 to anyone but the user
themselves, organization admins included; api-2026.md §2). Both are jobs beside the rest
of the user sync's reads, so they add two requests but no step to its longest chain.

A refusal or an odd answer is a problem named after what could not be read ("... meeting
limits"), not after the person, so it neither fails the run nor marks their availability
as unread; what was stored before stays until an answer can be read.
"""

from __future__ import annotations

from functools import partial

from availability.models import CalendlyUser
from calendly import CalendlyClient
from calendly.resources import MeetingLimits, User
from sync.parallel import Job


def own_settings_jobs(client: CalendlyClient, user: str) -> list[Job]:
    return [
        Job(f"{user} time notation", client.current_user, partial(_write_notation, user)),
        Job(
            f"{user} meeting limits",
            partial(client.meeting_limits, user),
            partial(_write_limits, user),
        ),
    ]


def _write_notation(user: str, me: User) -> int:
    if me.uri != user:  # a token of someone else: nothing of theirs is written as ours
        return 0
    return CalendlyUser.objects.filter(uri=user).update(time_notation=me.time_notation)


def _write_limits(user: str, limits: MeetingLimits) -> int:
    return CalendlyUser.objects.filter(uri=user).update(
        daily_limit=limits.daily, weekly_limit=limits.weekly, monthly_limit=limits.monthly
    )
