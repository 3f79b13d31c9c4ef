"""GET /event_type_availability_schedules (api-2026.md §2; not in the April 2024 spec): the
schedule each host of an event type books against, in §2's shape, with its rules in the
2024 AvailabilityRule shape and keyset pagination."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from openapi_schema_validator import OAS30Validator

from tests.sandbox.helpers import parse, window

PATH = "/event_type_availability_schedules"
PAGINATION_KEYS = ("count", "next_page", "previous_page", "next_page_token", "previous_page_token")


@pytest.fixture(scope="module")
def answer_is_valid(spec_dict):
    """A checker of a 200 body against §2's field list (every field required, `name`
    nullable) and of an error body against the spec's ErrorResponse."""
    item = {
        "type": "object",
        "required": ["event_type", "availability_setting", "availability_rule"],
        "properties": {
            "event_type": {"type": "string", "format": "uri"},
            "availability_setting": {"type": "string", "enum": ["host"]},
            "availability_rule": {
                "type": "object",
                "required": ["timezone", "uri", "name", "user", "rules"],
                "properties": {
                    "timezone": {"type": "string"},
                    "uri": {"type": "string", "format": "uri"},
                    "name": {"type": "string", "nullable": True},
                    "user": {"type": "string", "format": "uri"},
                    "rules": {
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/AvailabilityRule"},
                    },
                },
            },
        },
    }
    page = {
        "allOf": [
            {"$ref": "#/components/schemas/Pagination"},
            {"type": "object", "required": list(PAGINATION_KEYS)},
        ]
    }
    body = {
        "type": "object",
        "required": ["collection", "pagination"],
        "properties": {"collection": {"type": "array", "items": item}, "pagination": page},
    }
    components = spec_dict["components"]
    ok = OAS30Validator({**body, "components": components})
    error = OAS30Validator({"$ref": "#/components/schemas/ErrorResponse", "components": components})

    def check(response, status: int) -> dict:
        assert response.status_code == status, response.text[:300]
        (ok if status == 200 else error).validate(response.json())
        return response.json()

    return check


def named(caller, name: str, owner=None) -> dict:
    owner = owner or caller
    listed = caller.get("/event_types", user=owner.uri, count=100).json()["collection"]
    return next(e for e in listed if e["name"] == name)


def test_a_solo_event_type_books_against_its_owner_s_default_schedule(answer_is_valid, member):
    meeting = named(member, "30 Minute Meeting")
    body = answer_is_valid(member.get(PATH, event_type=meeting["uri"]), 200)
    default = next(
        s
        for s in member.get("/user_availability_schedules", user=member.uri).json()["collection"]
        if s["default"]
    )
    assert body["collection"] == [
        {
            "event_type": meeting["uri"],
            "availability_setting": "host",
            "availability_rule": {
                "timezone": default["timezone"],
                "uri": default["uri"],
                "name": default["name"],
                "user": member.uri,
                "rules": default["rules"],
            },
        }
    ]
    assert body["pagination"] == dict.fromkeys(PAGINATION_KEYS) | {"count": 1}


def test_an_event_type_on_another_schedule_lists_it_and_its_slots_follow_it(answer_is_valid, admin):
    schedules = admin.get("/user_availability_schedules", user=admin.uri).json()["collection"]
    default, evening = (
        next(s for s in schedules if s["default"] is flag) for flag in (True, False)
    )
    session = named(admin, "60 Minute Evening Session")
    rule = answer_is_valid(admin.get(PATH, event_type=session["uri"]), 200)["collection"][0][
        "availability_rule"
    ]
    assert rule["uri"] == evening["uri"] != default["uri"]
    assert rule["rules"] == evening["rules"]
    # Its slots lie in the evening hours (18:00-21:00), after the default day has ended.
    zone = ZoneInfo(evening["timezone"])
    slots = admin.get(
        "/event_type_available_times", event_type=session["uri"], **window(days=14)
    ).json()["collection"]
    local = {parse(s["start_time"]).astimezone(zone).strftime("%H:%M") for s in slots}
    assert local and local <= {"18:00", "19:00", "20:00"}
    default_ends = {i["to"] for r in default["rules"] for i in r["intervals"]}
    assert max(default_ends) <= min(local)
    meeting = named(admin, "30 Minute Meeting")
    assert (
        admin.get(PATH, event_type=meeting["uri"]).json()["collection"][0]["availability_rule"][
            "uri"
        ]
        == default["uri"]
    )


def test_a_team_event_type_lists_each_host_s_schedule_a_page_at_a_time(
    answer_is_valid, owner, admin
):
    panel = named(admin, "Panel Interview", owner=owner)
    first = answer_is_valid(admin.get(PATH, event_type=panel["uri"], count=2), 200)
    assert len(first["collection"]) == 2 and first["pagination"]["next_page"]
    rest = answer_is_valid(admin.get(first["pagination"]["next_page"]), 200)
    assert rest["pagination"]["next_page"] is None and rest["pagination"]["previous_page"]
    rows = first["collection"] + rest["collection"]
    hosts = [r["availability_rule"]["user"] for r in rows]
    assert len(hosts) == len(set(hosts)) == 3 and owner.uri in hosts and admin.uri in hosts
    assert all(r["event_type"] == panel["uri"] for r in rows)


def test_who_may_read_it_and_bad_requests(answer_is_valid, owner, member, outsider, sandbox):
    secret = named(owner, "Secret Interview")
    denied = answer_is_valid(member.get(PATH, event_type=secret["uri"]), 403)
    assert denied["title"] == "Permission Denied"
    away = answer_is_valid(outsider.get(PATH, event_type=secret["uri"]), 403)
    assert away["message"] == "This user is not in your organization"
    answer_is_valid(owner.get(PATH, event_type=secret["uri"]), 200)
    assert answer_is_valid(owner.get(PATH), 400)["details"][0]["parameter"] == "event_type"
    answer_is_valid(owner.get(PATH, event_type="not a uri"), 400)
    answer_is_valid(owner.get(PATH, event_type=f"{sandbox.url}/event_types/AAAAAAAAAAAAAAAA"), 404)
    answer_is_valid(owner.get(PATH, event_type=secret["uri"], count=0), 400)
