"""A database made by an older release upgrades with `migrate` and keeps every row.

Self-hosters upgrade in place: the database they have was built by the migrations of the
release they ran, and `migrate` must carry each row across whatever migrations came since.
The test builds the three apps' tables from nothing up to the migrations of commit f10235f
(``OLD_LEAVES``), fills every table through the historical models of that state, migrates
to today's leaves and reads every row back, value by value, through today's models.

While no migration has been added since f10235f the forward step applies nothing, but
the tables are still built from zero by the old migrations and read by today's models;
the test is a guard for the next migration. A migration that drops or renames a column
on purpose fails it: say so here and drop that column from the comparison.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from django.apps import apps as current_apps
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import CalendlyCredential
from availability.models import EventType, SyncRun
from webhooks.models import WebhookSubscription

# The leaf migration of each app at commit f10235f (an earlier release's database).
OLD_LEAVES = {
    "accounts": "0001_initial",
    "availability": "0004_eventtype_hosts",
    "webhooks": "0002_delivery_event_name",
}
APPS = tuple(OLD_LEAVES)

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
T1 = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
T2 = datetime(2026, 3, 29, 2, 15, tzinfo=UTC)

ACCESS_TOKEN = "access-token-from-before-the-upgrade"
REFRESH_TOKEN = "refresh-token-from-before-the-upgrade"
SIGNING_KEY = "signing-key-from-before-the-upgrade"


def migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    """Migrates to `targets` with a fresh loader (what the migrate command does)."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def current_leaves(executor: MigrationExecutor) -> list[tuple[str, str]]:
    return [node for node in executor.loader.graph.leaf_nodes() if node[0] in APPS]


def snapshot(apps) -> dict[str, list[dict]]:
    """Every row of the three apps' tables (m2m tables too) and of the user table."""
    rows = {}
    for model in apps.get_models(include_auto_created=True):
        label = model._meta.label_lower
        if model._meta.app_label in APPS or label == settings.AUTH_USER_MODEL.lower():
            rows[label] = list(model._base_manager.order_by("pk").values())
    return rows


def fill(apps) -> None:
    """One row or more in every table, through the historical models (no current code)."""
    User = apps.get_model(settings.AUTH_USER_MODEL)
    Credential = apps.get_model("accounts", "CalendlyCredential")
    Organization = apps.get_model("availability", "Organization")
    CalendlyUser = apps.get_model("availability", "CalendlyUser")
    Membership = apps.get_model("availability", "Membership")
    EventType = apps.get_model("availability", "EventType")
    Schedule = apps.get_model("availability", "AvailabilitySchedule")
    ScheduledEvent = apps.get_model("availability", "ScheduledEvent")
    BusyBlock = apps.get_model("availability", "BusyBlock")
    AvailableSlot = apps.get_model("availability", "AvailableSlot")
    SyncRun = apps.get_model("availability", "SyncRun")
    Subscription = apps.get_model("webhooks", "WebhookSubscription")
    Delivery = apps.get_model("webhooks", "WebhookDelivery")
    CalendarChange = apps.get_model("webhooks", "CalendarChange")

    user = User.objects.create(username="ada", email="ada@example.com", password="!unusable")
    credential = Credential.objects.create(
        user=user,
        calendly_user_uri="https://api.calendly.com/users/ADA",
        organization_uri="https://api.calendly.com/organizations/ORG",
        access_token=ACCESS_TOKEN,
        refresh_token=REFRESH_TOKEN,
        access_expires_at=T1,
        scope="default",
        state="needs_reconnect",
        state_reason="refresh refused",
        connected_at=T0,
        last_refreshed_at=T0,
        refresh_retry_after=T2,
        last_synced_at=T1,
    )
    org = Organization.objects.create(
        uri="https://api.calendly.com/organizations/ORG", name="Analytical Engines", synced_at=T0
    )
    ada = CalendlyUser.objects.create(
        uri="https://api.calendly.com/users/ADA",
        name="Ada Lovelace",
        email="ada@example.com",
        slug="ada",
        scheduling_url="https://calendly.com/ada",
        avatar_url="https://assets.calendly.com/ada.png",
        timezone="Europe/Berlin",
        timezone_known=True,
        organization=org,
        synced_at=T0,
        sync_problem="external_calendar",
        sync_problem_detail="Google calendar unreachable",
        sync_problem_at=T1,
    )
    bob = CalendlyUser.objects.create(
        uri="https://api.calendly.com/users/BOB", name="Bob", timezone="Mars/Olympus"
    )
    Membership.objects.create(
        uri="https://api.calendly.com/organization_memberships/M1",
        organization=org,
        user=ada,
        role="owner",
        synced_at=T0,
    )
    team = EventType.objects.create(
        uri="https://api.calendly.com/event_types/TEAM",
        organization=org,
        profile_type="Team",
        profile_name="Engines",
        name="Team call",
        slug="team-call",
        active=False,
        scheduling_url="https://calendly.com/engines/team-call",
        duration=45,
        duration_options=[30, 45],
        kind="group",
        pooling_type="round_robin",
        type="StandardEventType",
        color="#ff00ff",
        description_plain="Ünïcode ✓ and\nnew lines",
        secret=True,
        booking_method="instant",
        admin_managed=True,
        position=3,
        deleted_at=T2,
        calendly_updated_at=T1,
        synced_at=T0,
    )
    team.hosts.add(ada, bob)
    Schedule.objects.create(
        uri="https://api.calendly.com/user_availability_schedules/S1",
        user=ada,
        name="Working hours",
        is_default=True,
        timezone="Europe/Berlin",
        timezone_known=True,
        rules=[{"type": "wday", "wday": "monday", "intervals": [{"from": "09:00", "to": "17:00"}]}],
        synced_at=T0,
    )
    ScheduledEvent.objects.create(
        uri="https://api.calendly.com/scheduled_events/E1", name="Intro", start=T1, synced_at=T0
    )
    BusyBlock.objects.create(
        user=ada,
        type="calendly",
        start=T1,
        end=T2,
        buffered_start=T0,
        buffered_end=T2,
        event_uri="https://api.calendly.com/scheduled_events/E1",
        event_name="Intro",
        synced_at=T0,
    )
    AvailableSlot.objects.create(
        event_type=team,
        start=T2,
        status="available",
        invitees_remaining=4,
        scheduling_url="https://calendly.com/engines/team-call/2026-03-29T02:15:00Z",
        synced_at=T0,
    )
    SyncRun.objects.create(
        kind="organization",
        subject_uri=org.uri,
        credential=credential,
        trigger="webhook",
        status="partial",
        started_at=T0,
        finished_at=T1,
        heartbeat_at=T1,
        worker="celery@host",
        api_calls=12,
        retries=2,
        rate_limited=1,
        items_written=40,
        progress_done=3,
        progress_total=4,
        error="one member refused",
        error_kind="permission",
        retry_at=T2,
        member_errors={bob.uri: "403 Permission Denied"},
    )
    subscription = Subscription.objects.create(
        uri="https://api.calendly.com/webhook_subscriptions/W1",
        scope="organization",
        organization_uri=org.uri,
        creator_uri=ada.uri,
        callback_url="https://dashboard.example.com/webhooks/calendly/",
        signing_key=SIGNING_KEY,
        state="active",
        credential=credential,
        checked_at=T1,
        claimed_until=T2,
    )
    Delivery.objects.create(
        key="a" * 64,
        subscription=subscription,
        event="invitee.created",
        scheduled_event_uri="https://api.calendly.com/scheduled_events/E1",
        event_type_uri=team.uri,
        start_time=T1,
        end_time=T2,
        hosts=[ada.uri, bob.uri],
        event_name="Intro",
        handled_at=T2,
        outcome="busy times refreshed",
    )
    CalendarChange.objects.create(user_uri=ada.uri, changed_at=T2)


@pytest.fixture
def leaves_restored(transactional_db) -> Iterator[None]:
    """Whatever happens in the test, the database ends at today's leaves for the next test."""
    try:
        yield
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


def test_database_of_f10235f_upgrades_without_losing_rows(leaves_restored):
    """Rows written by the schema of f10235f read back unchanged after `migrate` to today."""
    executor = MigrationExecutor(connection)
    old_targets = list(OLD_LEAVES.items())
    for node in old_targets:
        assert node in executor.loader.graph.nodes, f"migration {node} is gone (squashed?)"

    # The database as the release of f10235f made it: the three apps' tables built from zero.
    migrate([(app, None) for app in APPS])
    executor = migrate(old_targets)
    old_apps = executor.loader.project_state(old_targets).apps
    fill(old_apps)
    before = snapshot(old_apps)
    empty = sorted(label for label, rows in before.items() if not rows)
    assert not empty, f"the test leaves these tables empty: {empty}"

    leaves = current_leaves(executor)
    executor = migrate(leaves)
    assert executor.migration_plan(leaves) == [], "migrations left unapplied"

    after = snapshot(current_apps)
    for label, old_rows in before.items():
        assert label in after, f"table of {label} is gone after the upgrade"
        new_rows = after[label]
        assert len(new_rows) == len(old_rows), (
            f"{label}: {len(old_rows)} rows became {len(new_rows)}"
        )
        for old, new in zip(old_rows, new_rows, strict=True):
            lost = {field: value for field, value in old.items() if new.get(field) != value}
            assert not lost, (
                f"{label} pk={old['id']}: before {lost}, after "
                f"{ {field: new.get(field) for field in lost} }"
            )

    # Secrets are still encrypted at rest and today's key setting opens them.
    credential = CalendlyCredential.objects.get()
    assert (credential.access_token, credential.refresh_token) == (ACCESS_TOKEN, REFRESH_TOKEN)
    assert WebhookSubscription.objects.get().signing_key == SIGNING_KEY
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(CalendlyCredential._meta.db_table)
        cursor.execute(f"SELECT access_token FROM {table}")  # noqa: S608
        (stored,) = cursor.fetchone()
    assert ACCESS_TOKEN not in stored and stored.startswith("gAAAAA"), stored

    # Relations still join through today's models.
    assert credential.user.username == "ada"
    hosts = EventType.objects.get().hosts.order_by("uri").values_list("name", flat=True)
    assert list(hosts) == ["Ada Lovelace", "Bob"]
    assert SyncRun.objects.get().credential == credential
