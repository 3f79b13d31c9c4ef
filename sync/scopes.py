"""What a sync learns from 403 "Insufficient scope": which scopes the Calendly app lacks,
kept on the run, and how to say in words what to enable."""

from __future__ import annotations

from collections.abc import Iterable

from calendly import InsufficientScope


def missing_scopes(errors: Iterable[BaseException], known: Iterable[list[str]] = ()) -> list:
    """``known`` plus the ``required_scopes`` of each InsufficientScope among ``errors``,
    each refusal's list once (any one of its names would have done)."""
    groups = [list(group) for group in known]
    for error in errors:
        if isinstance(error, InsufficientScope) and error.required_scopes not in groups:
            groups.append(list(error.required_scopes))
    return groups


def scope_words(groups: list[list[str]]) -> str:
    """ "availability:read", or "availability:read and event_types:read or groups:read"."""
    return " and ".join(" or ".join(group) for group in groups if group)


def enable_advice(groups: list[list[str]]) -> str:
    """The sentence a person can act on: what to tick, where, and that it takes a reconnect."""
    names = scope_words(groups)
    plural = "scopes" if sum(len(g) for g in groups) > 1 else "scope"
    return (
        f"The Calendly app this dashboard uses is missing the {plural} {names}. Enable it in "
        "the app's settings on Calendly's developer portal (Scopes), then reconnect: sign in "
        "with Calendly again so your connection gets the new scope."
    )


def problem_detail(error: BaseException) -> str:
    """What a person's row says of their problem: for a missing scope, short enough for the
    team page to show whole; for anything else Calendly's own words."""
    if isinstance(error, InsufficientScope):
        names = scope_words([error.required_scopes])
        return f"enable {names} in the Calendly app's settings, then reconnect"
    return str(error)
