"""Odd but schema-valid answers, served by the sandbox over real HTTP ("override" faults set
fields on every record of an answer): no run ends as "Internal error", every record that
cannot be read is named in the run's problems, the rest is stored, nothing stored before is
lost, and the week page still answers 200.

The properties at the end draw values from the types ``openapi.yaml`` gives the fields."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from availability.models import AvailableSlot, BusyBlock, EventType, Membership, SyncRun
from calendly.resources import INT_MAX
from tests.hardening.synced_owner import run_task, stored
from tests.needs import unavailable

pytestmark = pytest.mark.django_db(transaction=True)
INTERNAL = "Internal error"


def sync_with(sandbox, credential, path: str, fields: dict) -> SyncRun:
    sandbox.fault(path, "override", count=1000, fields=fields)
    try:
        return run_task(credential.pk)
    finally:
        sandbox.control("DELETE", "/faults")


def problems(run: SyncRun) -> str:
    return " ".join([run.error, *map(str, run.member_errors.values())])


def assert_week_page_answers(client, credential) -> None:
    client.force_login(credential.user)
    response = client.get(reverse("dashboard:week"))
    assert response.status_code == 200, response.content[:500]


def test_counts_past_any_column_are_clamped_and_stored(sandbox, synced, client):
    run = sync_with(sandbox, synced, "/event_types", {"position": 2**40})
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert set(EventType.objects.values_list("position", flat=True)) == {INT_MAX}
    run = sync_with(
        sandbox, synced, "/event_type_available_times", {"invitees_remaining": 2**40}
    )
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert set(AvailableSlot.objects.values_list("invitees_remaining", flat=True)) == {INT_MAX}
    assert_week_page_answers(client, synced)


@pytest.mark.parametrize("duration", [-30, 0, 30.5, 10**9, True])
def test_an_event_type_whose_duration_cannot_be_minutes_is_named_and_nothing_is_lost(
    sandbox, synced, client, duration
):
    before = stored()
    run = sync_with(sandbox, synced, "/event_types", {"duration": duration})
    assert run.status == SyncRun.Status.PARTIAL
    assert "duration is not a whole number of minutes" in problems(run)
    assert INTERNAL not in problems(run)
    assert f"/event_types {sandbox.url}/event_types/" in problems(run)  # named by URI
    after = stored()
    assert after["event_types"] == before["event_types"]  # none retired for being unreadable
    assert_week_page_answers(client, synced)


def test_a_busy_time_of_an_undocumented_type_is_busy_not_free_and_the_page_draws_it(
    sandbox, synced, client
):
    busy_before = BusyBlock.objects.count()
    run = sync_with(sandbox, synced, "/user_busy_times", {"type": "tentative"})
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert BusyBlock.objects.count() == busy_before
    assert set(BusyBlock.objects.values_list("type", flat=True)) == {"external"}
    assert_week_page_answers(client, synced)


def test_an_undocumented_role_gives_no_power(sandbox, synced):
    run = sync_with(sandbox, synced, "/organization_memberships", {"role": "superadmin"})
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert set(Membership.objects.values_list("role", flat=True)) == {"user"}


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<b>x</b>",
                                 "http://evil.example/book", " https://x.example"])
def test_links_that_are_not_https_are_no_links(sandbox, synced, client, url):
    run = sync_with(sandbox, synced, "/event_type_available_times", {"scheduling_url": url})
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert set(AvailableSlot.objects.values_list("scheduling_url", flat=True)) == {""}
    run = sync_with(sandbox, synced, "/event_types", {"scheduling_url": url})
    assert set(EventType.objects.values_list("scheduling_url", flat=True)) == {""}
    client.force_login(synced.user)
    event_type = EventType.objects.filter(active=True).first()
    page = client.get(reverse("dashboard:week"), {"event_type": event_type.pk})
    assert page.status_code == 200 and url.encode() not in page.content


def test_nul_characters_are_dropped_from_text(sandbox, synced):
    run = sync_with(sandbox, synced, "/event_types", {"name": "Intro\u0000call"})
    assert run.status == SyncRun.Status.SUCCEEDED, problems(run)
    assert set(EventType.objects.values_list("name", flat=True)) == {"Introcall"}


@pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-10:00", "0001-01-01T00:00:00+14:00"])
def test_a_busy_time_at_the_end_of_time_is_named_and_the_window_kept(sandbox, synced, moment):
    before = stored()
    run = sync_with(sandbox, synced, "/user_busy_times", {"start_time": moment})
    assert run.status == SyncRun.Status.PARTIAL
    assert "start_time" in problems(run) and INTERNAL not in problems(run)
    assert stored()["busy"] == before["busy"]


# --- Properties: values of the types the spec gives ----------------------------------------


def _spec() -> dict:
    path = Path(settings.CALENDLY_OPENAPI_PATH)
    if not path.exists():
        unavailable(f"Calendly's OpenAPI description is not at {path} (CALENDLY_OPENAPI_PATH)")
    return yaml.safe_load(path.read_text())


def spec_fields(schema_name: str, fields: tuple[str, ...]) -> st.SearchStrategy[dict]:
    """Objects setting any few of ``fields`` of the spec's ``schema_name`` to values of the
    types the spec gives them. Hand-written: hypothesis-jsonschema 0.23.1, the latest, fails
    on this hypothesis ("'many' object has no attribute 'more'")."""
    properties = _spec()["components"]["schemas"][schema_name]["properties"]
    chosen = {name: of_type(properties[name]) for name in fields if name in properties}
    return st.fixed_dictionaries({}, optional=chosen)


def of_type(schema: dict) -> st.SearchStrategy:
    """Any value of an OpenAPI 3.0 field's type: extremes included, formats ignored (a
    ``uri`` or ``date-time`` is any text, to be odd enough), documented enum values mixed
    with others, null where ``nullable``."""
    kind = schema.get("type")
    if kind == "integer":
        values = st.integers()
    elif kind == "number":
        values = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    elif kind == "boolean":
        values = st.booleans()
    elif kind == "array":
        values = st.lists(of_type(schema.get("items") or {}), max_size=5)
    elif kind == "object":
        values = st.dictionaries(st.text(max_size=10), st.text(max_size=10), max_size=3)
    else:
        values = st.text(max_size=300)
    if schema.get("enum"):
        values = st.sampled_from(schema["enum"]) | values
    return values | st.none() if schema.get("nullable") else values


ODD = hypothesis_settings(
    max_examples=15,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
EVENT_TYPE_FIELDS = ("name", "active", "slug", "scheduling_url", "duration", "kind",
                     "pooling_type", "type", "color", "created_at", "updated_at",
                     "description_plain", "secret", "booking_method", "deleted_at",
                     "admin_managed", "position", "duration_options")


def no_run_ends_as_internal_error(sandbox, synced, client, path: str, answers) -> None:
    """Each drawn set of fields, on every record of ``path``'s answers, through a sync."""

    @ODD
    @given(fields=answers)
    def check(fields):
        run = sync_with(sandbox, synced, path, fields)
        assert run.status in (SyncRun.Status.SUCCEEDED, SyncRun.Status.PARTIAL), problems(run)
        assert INTERNAL not in problems(run)
        assert_week_page_answers(client, synced)

    check()


@pytest.mark.slow
def test_any_event_types_of_the_specs_types_end_no_run_as_internal_error(
    sandbox, synced, client
):
    answers = spec_fields("EventType", EVENT_TYPE_FIELDS)
    no_run_ends_as_internal_error(sandbox, synced, client, "/event_types", answers)


@pytest.mark.slow
def test_any_available_times_of_the_specs_types_end_no_run_as_internal_error(
    sandbox, synced, client
):
    fields = ("status", "invitees_remaining", "scheduling_url", "start_time")
    answers = spec_fields("EventTypeAvailableTime", fields) | st.just(
        {"invitees_remaining": -(2**63)}
    )
    no_run_ends_as_internal_error(
        sandbox, synced, client, "/event_type_available_times", answers
    )
