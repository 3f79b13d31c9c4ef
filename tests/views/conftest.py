"""Fixtures of the calendar view tests: a fixed clock and three people of one organization."""

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from availability.models import Membership
from tests.views import factories as f

# A Tuesday; the week of Mon 27 Oct 2025 ends on Sun 2 Nov, when New York's clocks go back.
NOW = datetime(2025, 10, 28, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock(monkeypatch):
    """Freezes ``django.utils.timezone.now`` (the views' only clock) at ``NOW``."""
    monkeypatch.setattr(timezone, "now", lambda: NOW)
    return NOW


@pytest.fixture
def org(db):
    return f.organization("Acme")


@pytest.fixture
def admin(org):
    return f.calendly_user(org, "Adam Admin", "Europe/Berlin", Membership.Role.ADMIN)


@pytest.fixture
def member(org):
    return f.calendly_user(org, "Nora York", "America/New_York")


@pytest.fixture
def outsider(db):
    other = f.organization("Globex")
    return f.calendly_user(other, "Gina Globex", "Europe/Paris", Membership.Role.OWNER)
