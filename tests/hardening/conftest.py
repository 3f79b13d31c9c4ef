"""Two organizations, built with the ORM as a sync stores them, and a signed-in client each.

Organization A ("Acme"): an admin, a plain member and another plain member.
Organization B ("Globex"): a plain member and its owner.
Every name, email and event-type name is unique, so a body that carries one of them
is caught carrying data of that person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import CalendlyCredential
from availability.models import CalendlyUser, EventType, Membership, Organization
from tests.accounts.conftest import CLIENT_ID, CLIENT_SECRET, point_dashboard_at
from tests.accounts.oauth_flow import CALLBACK_PATH
from tests.hardening.synced_owner import synced_owner
from tests.views import factories as f

ADMIN, MEMBER = Membership.Role.ADMIN, Membership.Role.USER
PEOPLE = {
    # key: (organization, name, role, time zone)
    "a_admin": ("A", "Alvar Adminsson", ADMIN, "Europe/Berlin"),
    "a_member": ("A", "Mirela Memberova", MEMBER, "America/New_York"),
    "a_other": ("A", "Otto Otherlund", MEMBER, "Asia/Tokyo"),
    "b_member": ("B", "Berit Bystander", MEMBER, "Europe/Paris"),
    "b_owner": ("B", "Bruno Bossman", Membership.Role.OWNER, "Australia/Sydney"),
}
# The three viewers of the issue, and B's owner: an admin elsewhere sees nothing of A either.
VIEWERS = ("a_admin", "a_member", "b_member", "b_owner")


@dataclass
class Person:
    key: str
    user: CalendlyUser
    event_type: EventType
    credential: CalendlyCredential | None = None
    client: Client | None = None

    @property
    def words(self) -> list[str]:
        """What of this person a page must not show to someone who may not see them."""
        return [self.user.name, self.user.email, self.event_type.name, self.user.uri]


@dataclass
class World:
    orgs: dict[str, Organization]
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]

    def may_see(self, viewer: str, target: str) -> bool:
        """A person sees themselves; owners and admins see their whole organization."""
        if viewer == target:
            return True
        v, t = PEOPLE[viewer], PEOPLE[target]
        return v[0] == t[0] and v[2] in (ADMIN, Membership.Role.OWNER)

    def hidden_words(self, viewer: str) -> list[str]:
        return [w for key, p in self.people.items() if not self.may_see(viewer, key) for w in p.words]

    def is_admin(self, viewer: str) -> bool:
        return PEOPLE[viewer][2] != MEMBER


def build_world(sign_in: bool = True) -> World:
    world = World(orgs={"A": f.organization("Acme Corp"), "B": f.organization("Globex Inc")})
    now = timezone.now()
    start = (now + timedelta(days=1)).replace(hour=10, minute=0, second=0, microsecond=0)
    for key, (org, name, role, tz) in PEOPLE.items():
        email = f"{name.split()[0].lower()}@{org.lower()}-corp.example"
        user = f.calendly_user(world.orgs[org], name, tz, role, email=email)
        f.schedule(user)
        f.busy(user, start, 60)
        event_type = f.event_type(user, name=f"{name.split()[1]} consultation")
        f.slot(event_type, start + timedelta(hours=2))
        person = Person(key, user, event_type)
        if sign_in and key in VIEWERS:
            person.client = Client()
            person.credential = f.sign_in(person.client, user)
        world.people[key] = person
    return world


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def closed_calendly(settings):
    """Calendly's hosts aimed at a loopback port nobody listens on: a view that would call
    Calendly (disconnect revokes tokens) fails fast instead of leaving the machine."""
    from tests.sandbox_process import free_port

    base = f"http://127.0.0.1:{free_port()}"
    settings.CALENDLY_AUTH_BASE_URL = base
    settings.CALENDLY_API_BASE_URL = base
    return base


@pytest.fixture
def calendly(sandbox, settings):
    """The sandbox as this dashboard's Calendly, for sign-ins with the Django test client."""
    sandbox.register_client(
        CLIENT_ID, CLIENT_SECRET, [f"http://testserver{CALLBACK_PATH}"], name="Hardening"
    )
    point_dashboard_at(settings, sandbox.url)
    return sandbox


@pytest.fixture
def synced(sandbox, settings):
    """A sandbox owner's credential, synced once (tests/hardening/synced_owner.py)."""
    yield from synced_owner(sandbox, settings)
