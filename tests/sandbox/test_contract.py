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


def test_only_api_2026_changes_are_applied_to_the_2024_file(spec_dict):
    """Calendly's newer enum values (api-2026.md §3, §5) are added, the dropped required
    field dropped, each once; had the file already held one, it would not be listed."""
    assert spec_dict["x-2026-changes"] == [
        "/components/schemas/EventType/properties/pooling_type/enum: add multi_pool",
        "/components/schemas/EventType/required: drop kind_description",
        "/components/schemas/WebhookSubscription/properties/scope/enum: add group",
        *(f"/components/schemas/WebhookSubscription/properties/events/items/enum: add {e}"
          for e in ("event_type.created", "event_type.updated", "event_type.deleted")),
    ]


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


def test_users_and_memberships_carry_locale_and_time_notation(check_response, owner, member):
    """api-2026.md §3: users have `locale` and `time_notation`, membership users `locale`;
    the demo has people on either notation."""
    from tests.sandbox.schemas_2026 import MEMBERSHIP, USER, check

    me = check(check_response(member.get("/users/me"), 200).json()["resource"], USER)
    assert (me["locale"], me["time_notation"]) == ("pt", "24h")
    rows = check_response(owner.get("/organization_memberships", organization=owner.org,
                                    count=100), 200).json()["collection"]
    for row in rows:
        check(row, MEMBERSHIP)
    notations = {check(owner.get(r["user"]["uri"]).json()["resource"], USER)["time_notation"]
                 for r in rows}
    assert notations == {"12h", "24h"}


def test_organization_memberships_by_role(check_response, owner, member):
    def roles(role: str) -> list[str]:
        found = check_response(owner.get("/organization_memberships", organization=owner.org,
                                         role=role, count=100), 200).json()["collection"]
        return [m["role"] for m in found]

    assert roles("owner") == ["owner"] and roles("admin") == ["admin"]
    assert roles("user") == ["user"] * 6
    assert check_response(owner.get("/organization_memberships", organization=owner.org,
                                    role="boss"), 400).json()["details"][0]["parameter"] == "role"
    mine = member.get("/organization_memberships", user=member.uri, role="admin")
    assert check_response(mine, 200).json()["collection"] == []


def test_scheduled_events_by_group(check_response, admin, member, sandbox):
    """`group` needs an owner or admin of the organization, or an admin of the group
    (api-2026.md §3); with `organization` too, owners and admins only."""
    from tests.sandbox.conftest import caller_for

    emma = caller_for(sandbox, "emma@acme.example")  # Sales' group admin, a plain member
    groups = {g["name"]: g["uri"] for g in admin.get("/groups", organization=admin.org)
              .json()["collection"]}
    members = {"ana@acme.example", "ben@acme.example", "finn@acme.example"}
    span = {"min_start_time": stamp(utc_in(days=-3)), "max_start_time": stamp(utc_in(days=1)),
            "count": 100}
    by_admin = check_response(admin.get("/scheduled_events", group=groups["Sales"], **span),
                              200).json()["collection"]
    everything = admin.get("/scheduled_events", organization=admin.org, **span).json()
    assert not everything["pagination"]["next_page"]
    expected = [e["uri"] for e in everything["collection"]
                if members & {h["user_email"] for h in e["event_memberships"]}]
    assert by_admin and [e["uri"] for e in by_admin] == expected
    assert len(expected) < len(everything["collection"])  # the others' events are left out
    by_emma = check_response(emma.get("/scheduled_events", group=groups["Sales"], **span),
                             200).json()["collection"]
    assert by_emma == by_admin
    ana_only = check_response(admin.get("/scheduled_events", group=groups["Sales"],
                                        user=member.uri, count=100), 200).json()["collection"]
    assert ana_only and all(member.uri in {h["user"] for h in e["event_memberships"]}
                            for e in ana_only)
    empty = admin.get("/scheduled_events", group=groups["Marketing"])
    assert check_response(empty, 200).json()["collection"] == []
    check_response(emma.get("/scheduled_events", group=groups["Support"]), 403)
    check_response(emma.get("/scheduled_events", group=groups["Sales"],
                            organization=emma.org), 403)
    check_response(member.get("/scheduled_events", group=groups["Sales"]), 403)
    outsider = caller_for(sandbox, "member@globex.example")
    check_response(outsider.get("/scheduled_events", group=groups["Sales"]), 403)
    check_response(admin.get("/scheduled_events", group=f"{sandbox.url}/groups/AAAAAAAAAAAAAAAA"),
                   404)
    check_response(admin.get("/scheduled_events", group="not-a-uri"), 400)


def test_webhook_subscriptions_of_a_group(check_response, admin, member, sandbox,
                                          cleanup_webhooks):
    from tests.sandbox.conftest import caller_for

    emma = caller_for(sandbox, "emma@acme.example")  # Sales' group admin
    groups = {g["name"]: g["uri"] for g in admin.get("/groups", organization=admin.org)
              .json()["collection"]}
    hook = {"url": "http://127.0.0.1:9/sales", "organization": admin.org, "scope": "group",
            "group": groups["Sales"], "events": ["invitee.created", "event_type.updated"]}
    created = check_response(emma.post("/webhook_subscriptions", hook), 201).json()["resource"]
    cleanup_webhooks.append(created["uri"])
    assert (created["scope"], created["group"], created["user"]) == ("group", groups["Sales"],
                                                                       None)
    check_response(emma.post("/webhook_subscriptions", hook), 409)
    check_response(member.post("/webhook_subscriptions", {**hook, "url": "http://x.test/"}), 403)
    check_response(emma.post("/webhook_subscriptions", {**hook, "group": groups["Support"]}),
                   403)
    missing = {k: v for k, v in hook.items() if k != "group"}
    check_response(admin.post("/webhook_subscriptions", missing), 400)
    listed = check_response(emma.get("/webhook_subscriptions", organization=admin.org,
                                     scope="group", group=groups["Sales"]), 200).json()
    assert [h["uri"] for h in listed["collection"]] == [created["uri"]]
    other = admin.get("/webhook_subscriptions", organization=admin.org, scope="group",
                      group=groups["Support"])
    assert check_response(other, 200).json()["collection"] == []
    check_response(admin.get("/webhook_subscriptions", organization=admin.org, scope="group"),
                   400)
    check_response(member.get("/webhook_subscriptions", organization=admin.org, scope="group",
                              group=groups["Sales"]), 403)
