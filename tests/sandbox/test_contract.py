"""Every API endpoint, success and error cases, each response validated against Calendly's
OpenAPI description (openapi-core): one mismatch fails the test."""

from __future__ import annotations

import pytest
import requests

from tests.sandbox.helpers import stamp, utc_in, window

NOT_IN_ORG = "This user is not in your organization"


def test_only_the_unsatisfiable_401_enum_is_read_differently(spec_dict):
    """The shared 401 body's `enum` is a string, which no value satisfies; nothing else is."""
    assert spec_dict["x-test-repairs"] == ["/components/responses/UNAUTHENTICATED/content/application/json"
                            "/schema/allOf/1/properties/message"]


def test_users(check_response, owner, member, outsider, sandbox):
    me = check_response(member.get("/users/me"), 200).json()["resource"]
    assert me["uri"] == member.uri and me["current_organization"] == member.org
    colleague = check_response(member.get(owner.uri), 200).json()["resource"]
    assert colleague["email"] == owner.email
    assert check_response(outsider.get(owner.uri), 403).json()["message"] == NOT_IN_ORG
    check_response(member.get("/users/AAAAAAAAAAAAAAAA"), 404)
    check_response(requests.get(f"{sandbox.url}/users/me", timeout=5), 401)
    check_response(requests.get(f"{sandbox.url}/users/me", timeout=5,
                                headers={"Authorization": "Bearer not-a-token"}), 401)


def test_organization_memberships(check_response, owner, member, outsider):
    listed = check_response(owner.get("/organization_memberships", organization=owner.org,
                                      count=5), 200).json()
    assert listed["pagination"]["count"] == 5 and listed["pagination"]["next_page"]
    rest = check_response(owner.get(listed["pagination"]["next_page"]), 200).json()
    roles = [m["role"] for m in listed["collection"] + rest["collection"]]
    assert sorted(roles).count("owner") == 1 and roles.count("admin") == 1 and len(roles) == 8
    mine = check_response(member.get("/organization_memberships", user=member.uri), 200).json()
    assert [m["user"]["email"] for m in mine["collection"]] == [member.email]
    by_email = owner.get("/organization_memberships", organization=owner.org, email=member.email)
    assert len(check_response(by_email, 200).json()["collection"]) == 1
    check_response(member.get("/organization_memberships", organization=member.org), 403)
    assert check_response(outsider.get("/organization_memberships", user=owner.uri),
                          403).json()["message"] == NOT_IN_ORG
    check_response(owner.get("/organization_memberships"), 400)
    check_response(owner.get("/organization_memberships", organization=owner.org, count=101), 400)
    check_response(owner.get("/organization_memberships", organization=owner.org,
                             page_token="garbage!"), 400)
    uri = mine["collection"][0]["uri"]
    check_response(owner.get(uri), 200)
    check_response(outsider.get(uri), 403)
    check_response(owner.get("/organization_memberships/AAAAAAAAAAAAAAAA"), 404)


def test_event_types(check_response, owner, admin, member, outsider):
    everything = check_response(admin.get("/event_types", organization=admin.org, count=100),
                                200).json()["collection"]
    kinds = {(e["kind"], e["pooling_type"]) for e in everything}
    assert {("solo", None), ("group", None), ("group", "round_robin"),
            ("group", "collective")} <= kinds
    assert any(e["secret"] for e in everything) and not all(e["active"] for e in everything)
    assert any(e["admin_managed"] for e in everything)
    assert len({e["duration"] for e in everything}) >= 4
    names = [e["name"] for e in everything]
    assert names == sorted(names)
    mine = check_response(member.get("/event_types", user=member.uri, sort="position:desc"),
                          200).json()["collection"]
    personal = [e for e in mine if e["profile"]["type"] == "User"]
    assert all(e["profile"]["owner"] == member.uri for e in personal)
    assert "Sales Round Robin" in [e["name"] for e in mine]  # a team type she hosts
    assert [e["position"] for e in personal] == sorted((e["position"] for e in personal),
                                                       reverse=True)
    inactive = check_response(owner.get("/event_types", user=owner.uri, active="false"), 200)
    assert [e["active"] for e in inactive.json()["collection"]] == [False]
    managed = check_response(member.get("/event_types", user=member.uri, admin_managed="true"),
                             200).json()["collection"]
    assert managed and all(e["admin_managed"] for e in managed)
    schedule = member.get("/user_availability_schedules", user=member.uri).json()["collection"][0]
    with_schedule = member.get("/event_types", user=member.uri,
                               user_availability_schedule=schedule["uri"])
    assert check_response(with_schedule, 200).json()["collection"]
    check_response(member.get("/event_types", organization=member.org), 403)
    assert check_response(outsider.get("/event_types", user=owner.uri),
                          403).json()["message"] == NOT_IN_ORG
    check_response(owner.get("/event_types"), 400)
    check_response(owner.get("/event_types", user=owner.uri, sort="color:asc"), 400)
    check_response(owner.get("/event_types", user=owner.uri, active="maybe"), 400)
    check_response(owner.get("/event_types", user=owner.uri, count=0), 400)
    check_response(owner.get(everything[0]["uri"]), 200)
    check_response(outsider.get(everything[0]["uri"]), 403)
    check_response(owner.get("/event_types/AAAAAAAAAAAAAAAA"), 404)


def test_event_type_available_times(check_response, member, outsider, sandbox):
    event_type = member.get("/event_types", user=member.uri).json()["collection"][0]
    found = check_response(member.get("/event_type_available_times",
                                      event_type=event_type["uri"], **window()), 200).json()
    assert found["collection"] and found["collection"][0]["status"] == "available"
    month = check_response(member.get("/event_type_available_times",
                                      event_type=event_type["uri"], **window(days=31)), 200)
    assert len(month.json()["collection"]) > len(found["collection"])
    too_long = check_response(member.get("/event_type_available_times",
                                         event_type=event_type["uri"], **window(days=32)), 400)
    assert too_long.json() == {
        "title": "Invalid Argument", "message": "The supplied parameters are invalid.",
        "details": [{"parameter": "end_time",
                     "message": "the range can be no greater than 31 days"}]}
    past = {"start_time": stamp(utc_in(hours=-2)), "end_time": stamp(utc_in(days=2))}
    long = window(days=31.5)
    backwards = {"start_time": stamp(utc_in(days=2)), "end_time": stamp(utc_in(days=1))}
    for bad in (past, long, backwards, {"start_time": "tomorrow", "end_time": "later"}, {}):
        check_response(member.get("/event_type_available_times", event_type=event_type["uri"],
                                  **bad), 400)
    check_response(member.get("/event_type_available_times", **window()), 400)
    check_response(member.get("/event_type_available_times", event_type="not a uri",
                              **window()), 400)
    check_response(outsider.get("/event_type_available_times", event_type=event_type["uri"],
                                **window()), 403)
    check_response(member.get("/event_type_available_times",
                              event_type=f"{sandbox.url}/event_types/AAAAAAAAAAAAAAAA",
                              **window()), 404)


def test_user_availability_schedules(check_response, owner, admin, member, outsider):
    schedules = check_response(member.get("/user_availability_schedules", user=member.uri),
                               200).json()["collection"]
    assert schedules[0]["default"] and any(r["type"] == "date" for r in schedules[0]["rules"])
    two = admin.get("/user_availability_schedules", user=admin.uri).json()["collection"]
    assert [s["default"] for s in two] == [True, False]
    check_response(owner.get("/user_availability_schedules", user=member.uri), 200)
    denied = check_response(member.get("/user_availability_schedules", user=owner.uri), 403)
    assert denied.json()["message"] == NOT_IN_ORG
    check_response(outsider.get("/user_availability_schedules", user=member.uri), 403)
    check_response(member.get("/user_availability_schedules"), 400)
    check_response(member.get(schedules[0]["uri"]), 200)
    check_response(admin.get(schedules[0]["uri"]), 200)
    check_response(outsider.get(schedules[0]["uri"]), 403)
    check_response(member.get("/user_availability_schedules/AAAAAAAAAAAAAAAA"), 404)


def test_user_busy_times(check_response, owner, member, outsider):
    busy = check_response(member.get("/user_busy_times", user=member.uri, **window()),
                          200).json()["collection"]
    assert {b["type"] for b in busy} <= {"calendly", "external"}
    starts = [b["start_time"] for b in busy]
    assert starts == sorted(starts)
    calendly = [b for b in busy if b["type"] == "calendly"]
    assert all("event" in b and b["buffered_start_time"] <= b["start_time"] for b in calendly)
    check_response(owner.get("/user_busy_times", user=member.uri, **window()), 200)
    check_response(member.get("/user_busy_times", user=owner.uri, **window()), 403)
    check_response(outsider.get("/user_busy_times", user=member.uri, **window()), 403)
    check_response(member.get("/user_busy_times", user=member.uri, **window(days=8)), 400)
    check_response(member.get("/user_busy_times", user=member.uri,
                              start_time=stamp(utc_in(days=-1)), end_time=stamp(utc_in(days=1))),
                   400)
    check_response(member.get("/user_busy_times", **window()), 400)


def test_scheduled_events(check_response, owner, admin, member, outsider):
    mine = check_response(member.get("/scheduled_events", user=member.uri, count=10),
                          200).json()
    starts = [e["start_time"] for e in mine["collection"]]
    assert starts == sorted(starts) and mine["pagination"]["next_page"]
    newest = check_response(member.get("/scheduled_events", user=member.uri, sort="start_time:desc",
                                       status="active", min_start_time=stamp(utc_in(days=1)),
                                       max_start_time=stamp(utc_in(days=20))), 200).json()
    assert all(e["status"] == "active" for e in newest["collection"])
    assert [e["start_time"] for e in newest["collection"]] == sorted(
        (e["start_time"] for e in newest["collection"]), reverse=True)
    canceled = member.get("/scheduled_events", user=member.uri, status="canceled", count=100)
    assert all("cancellation" in e for e in check_response(canceled, 200).json()["collection"])
    check_response(member.get("/scheduled_events", user=member.uri, organization=member.org), 200)
    check_response(admin.get("/scheduled_events", organization=admin.org), 200)
    check_response(admin.get("/scheduled_events", user=member.uri, organization=admin.org), 200)
    other = check_response(admin.get("/scheduled_events", user=member.uri), 403).json()
    assert other["message"].startswith("Please also specify organization")
    check_response(member.get("/scheduled_events", organization=member.org), 403)
    check_response(member.get("/scheduled_events", user=owner.uri, organization=member.org), 403)
    check_response(outsider.get("/scheduled_events", organization=member.org), 403)
    check_response(member.get("/scheduled_events"), 400)
    check_response(member.get("/scheduled_events", user=member.uri, status="maybe"), 400)
    check_response(member.get("/scheduled_events", user=member.uri, sort="name:asc"), 400)
    event_uri = mine["collection"][0]["uri"]
    check_response(member.get(event_uri), 200)
    check_response(admin.get(event_uri), 200)
    assert not any(e["user"] == outsider.uri for e in
                   member.get(event_uri).json()["resource"]["event_memberships"])
    check_response(outsider.get(event_uri), 403)
    check_response(member.get("/scheduled_events/AAAAAAAAAAAAAAAA"), 404)


def test_event_invitees(check_response, admin, member, outsider):
    events = member.get("/scheduled_events", user=member.uri, count=100).json()["collection"]
    event_uri = next(e["uri"] for e in events if e["status"] == "canceled")
    invitees = check_response(member.get(f"{event_uri}/invitees"), 200).json()["collection"]
    assert invitees and all(i["event"] == event_uri for i in invitees)
    assert all(i["status"] == "canceled" and "cancellation" in i for i in invitees)
    check_response(member.get(f"{event_uri}/invitees", status="active", count=1), 200)
    check_response(member.get(f"{event_uri}/invitees", status="gone"), 400)
    check_response(outsider.get(f"{event_uri}/invitees"), 403)
    check_response(member.get("/scheduled_events/AAAAAAAAAAAAAAAA/invitees"), 404)
    check_response(admin.get(invitees[0]["uri"]), 200)
    check_response(outsider.get(invitees[0]["uri"]), 403)
    check_response(member.get(f"{event_uri}/invitees/AAAAAAAAAAAAAAAA"), 404)


@pytest.fixture
def cleanup_webhooks(owner):
    created: list[str] = []
    yield created
    for uri in created:
        owner.delete(uri)


def test_webhook_subscriptions(check_response, owner, admin, member, outsider, cleanup_webhooks):
    org_hook = {"url": "http://127.0.0.1:9/org", "events": ["invitee.created"],
                "organization": admin.org, "scope": "organization", "signing_key": "k"}
    created = check_response(admin.post("/webhook_subscriptions", org_hook), 201).json()
    cleanup_webhooks.append(created["resource"]["uri"])
    assert created["resource"]["state"] == "active"
    check_response(admin.post("/webhook_subscriptions", org_hook), 409)
    check_response(member.post("/webhook_subscriptions", {**org_hook, "url": "http://x.test/"}),
                   403)
    user_hook = {**org_hook, "scope": "user", "user": member.uri, "url": "http://127.0.0.1:9/u",
                 "events": ["invitee.created", "invitee.canceled"]}
    mine = check_response(member.post("/webhook_subscriptions", user_hook), 201).json()
    cleanup_webhooks.append(mine["resource"]["uri"])
    check_response(member.post("/webhook_subscriptions", {**user_hook, "user": owner.uri}), 403)
    check_response(outsider.post("/webhook_subscriptions", user_hook), 403)
    for bad in ({**org_hook, "events": ["nope"]}, {**org_hook, "url": "ftp://x"},
                {**org_hook, "scope": "team"}, {"url": "http://x.test/"}):
        check_response(admin.post("/webhook_subscriptions", bad), 400)
    listed = check_response(admin.get("/webhook_subscriptions", organization=admin.org,
                                      scope="organization"), 200).json()["collection"]
    assert created["resource"]["uri"] in [h["uri"] for h in listed]
    check_response(member.get("/webhook_subscriptions", organization=member.org, scope="user",
                              user=member.uri), 200)
    check_response(member.get("/webhook_subscriptions", organization=member.org,
                              scope="organization"), 403)
    check_response(member.get("/webhook_subscriptions", organization=member.org, scope="user",
                              user=owner.uri), 403)
    check_response(outsider.get("/webhook_subscriptions", organization=member.org,
                                scope="organization"), 403)
    check_response(admin.get("/webhook_subscriptions", organization=admin.org), 400)
    check_response(admin.get("/webhook_subscriptions", scope="organization"), 400)
    check_response(admin.get(created["resource"]["uri"]), 200)
    check_response(member.get(created["resource"]["uri"]), 403)
    check_response(outsider.get(mine["resource"]["uri"]), 403)
    check_response(admin.get("/webhook_subscriptions/AAAAAAAAAAAAAAAA"), 404)
    check_response(member.delete(mine["resource"]["uri"]), 204)
    check_response(member.delete(mine["resource"]["uri"]), 404)
