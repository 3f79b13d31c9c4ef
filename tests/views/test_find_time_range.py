"""Find a time over a range (issue #20): from now over ``?days=`` across week boundaries,
no further than the synced data, inside the organizer's working hours unless widened; and
what each time offers: a message in each participant's zone, an .ics invitation, a
collective event type's booking link. Bad input is said, never a 500.

The clock stands at Tue 28 Oct 2025, 12:00 UTC. Adam (the organizer, an admin) works 9-17
in Berlin (08-16 UTC), Nora 9-17 in New York (13-21 UTC until Sun 2 Nov, 14-22 after)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from icalendar import Calendar

from availability.models import AvailabilitySchedule, CalendlyUser
from tests.views import factories as f

FIND = "dashboard:find_a_time"
ICS = "dashboard:find_a_time_invitation"


@pytest.fixture
def team(client, clock, org, admin, member):
    f.schedule(admin)
    f.schedule(member)
    f.sign_in(client, admin)
    return org


def found(client, ask: dict) -> tuple[str, list]:
    response = client.get(reverse(FIND), ask)
    assert response.status_code == 200
    return response.content.decode(), response.context.get("actions") or []


def labels(actions) -> list[str]:
    return [a.slot.label for a in actions]


def test_the_span_runs_from_now_across_week_boundaries(client, team, admin, member):
    # Both busy until Monday: the first times together are in the next week (14-16 UTC).
    for person in (admin, member):
        f.busy(person, f.utc(2025, 10, 28, 12), 60 * 24 * 5 + 12 * 60)
    ask = {"member": [admin.pk, member.pk], "duration": 60, "tz": "UTC"}
    html, actions = found(client, ask)  # the default: 14 days
    result = client.get(reverse(FIND), ask).context["result"]
    assert len(result.days) == 14 and result.days[-1].isoformat() == "2025-11-10"
    assert 'data-testid="find-span">Next 14 days, Tue 28 Oct – Mon 10 Nov<' in html
    assert labels(actions)[:2] == ["Mon 3 Nov, 14:00–15:00", "Mon 3 Nov, 15:00–16:00"]
    assert "Mon 10 Nov, 15:00–16:00" in labels(actions)  # the twelfth, a week later
    assert all(a.slot.start >= f.utc(2025, 11, 3) for a in actions)
    _, week = found(client, ask | {"days": "7"})
    assert labels(week) == ["Mon 3 Nov, 14:00–15:00", "Mon 3 Nov, 15:00–16:00"]


def test_the_span_stops_where_the_synced_data_ends_and_says_so(client, team, admin, member):
    # Nora was last synced 20 days ago: her busy times reach Wed 5 Nov, 11:00 UTC.
    CalendlyUser.objects.filter(pk=member.pk).update(synced_at=f.utc(2025, 10, 8, 12))
    ask = {"member": [admin.pk, member.pk], "duration": 60, "tz": "UTC", "days": "14", "more": "96"}
    html, actions = found(client, ask)
    said = re.search(r'data-testid="find-reach">(.*?)</p>', html).group(1)
    assert "reaches Wed 5 Nov 2025, 11:00 (UTC), 28 days from the last sync of Nora York" in said
    assert "stops at the end of Tue 4 Nov: 8 of the 14 days asked" in said
    assert actions and max(a.slot.end for a in actions) <= f.utc(2025, 11, 5)
    assert "Next 8 days, Tue 28 Oct – Tue 4 Nov" in html
    # Synced long ago: nothing ahead is known, so nothing is searched.
    CalendlyUser.objects.filter(pk=member.pk).update(synced_at=f.utc(2025, 9, 30))
    html, actions = found(client, ask)
    assert actions == [] and 'data-testid="found-slot"' not in html
    assert "sync again to search ahead" in html


def test_only_the_organizers_working_hours_unless_widened(client, team, admin, member):
    ask = {"member": [member.pk], "duration": 60, "tz": "UTC"}
    html, own = found(client, ask)
    assert {a.slot.start.hour for a in own} <= {13, 14, 15}  # Nora's, inside Adam's 08-16
    assert "Tue 28 Oct, 20:00–21:00" not in labels(own)
    assert "Only inside your own working hours" in html
    html, wide = found(client, ask | {"any_hour": "1"})
    assert "Tue 28 Oct, 20:00–21:00" in labels(wide)  # 16:00 in New York, 21:00 in Berlin
    assert 'name="any_hour" value="1" checked' in html
    assert "At any hour" in html


def test_an_organizer_without_readable_hours_is_told_every_hour_is_searched(
    client, team, admin, member
):
    AvailabilitySchedule.objects.filter(user=admin).delete()
    html, actions = found(client, {"member": [member.pk], "duration": 60, "tz": "UTC"})
    assert "Your own working hours are unknown (No availability schedule synced yet)" in html
    assert "Tue 28 Oct, 20:00–21:00" in labels(actions)


def test_the_message_gives_the_time_in_each_participants_zone(client, team, admin, member, org):
    tokyo = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    f.schedule(tokyo)  # 00-08 UTC: never with the others
    ask = {"member": [admin.pk, member.pk, tokyo.pk], "duration": 60, "k": 2, "tz": "UTC"}
    html, actions = found(client, ask)
    first = actions[0]
    assert first.slot.label == "Tue 28 Oct, 13:00–14:00"
    assert first.message.splitlines() == [
        "Proposed: a 60-minute meeting, in each of our time zones:",
        "- Tue 28 Oct, 09:00–10:00 America/New_York: Nora York",
        "- Tue 28 Oct, 14:00–15:00 Europe/Berlin: Adam Admin",
        "- Tue 28 Oct, 22:00–23:00 Asia/Tokyo: Tom Tokyo",
        "Not free then: Tom Tokyo.",
    ]
    # On the page: a read-only text to copy (without JavaScript too), and its button.
    assert 'data-testid="slot-message-text">Proposed: a 60-minute meeting' in html
    assert 'data-copy-target="slot-message-1"' in html and 'id="slot-message-1"' in html


def ics(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="meeting-')
    return response.content, Calendar.from_ical(response.content)


def test_the_ics_invites_every_participant_at_the_time_in_utc(client, team, admin, member):
    _, actions = found(
        client, {"member": [admin.pk, member.pk], "duration": 30, "tz": "Asia/Tokyo"}
    )
    slot = actions[0].slot
    raw, calendar = ics(client, actions[0].invitation_url)
    (event,) = calendar.walk("VEVENT")
    assert event.start == slot.start and event.start.utcoffset() == timedelta(0)
    assert event.end == slot.start + timedelta(minutes=30)
    assert f"DTSTART:{slot.start.astimezone(UTC):%Y%m%dT%H%M%S}Z" in raw.decode()
    assert str(event["ORGANIZER"]) == f"mailto:{admin.email}"
    attendees = {str(a): a.params["CN"] for a in event.attendees}
    assert attendees == {
        f"mailto:{admin.email}": "Adam Admin",
        f"mailto:{member.email}": "Nora York",
    }
    assert event["UID"] and event["DTSTAMP"]
    assert event["SUMMARY"] == "Meeting: Adam Admin, Nora York"
    assert "America/New_York: Nora York" in event["DESCRIPTION"]
    assert calendar["METHOD"] == "REQUEST"
    again = ics(client, actions[0].invitation_url)[1]
    assert again.walk("VEVENT")[0]["UID"] == event["UID"]  # the same meeting, updated


def test_a_collective_event_type_of_those_hosts_links_the_time(client, team, admin, member, org):
    panel = f.event_type(None, "Panel", duration=60, hosts=(admin, member), org=org)
    panel.pooling_type = "collective"
    panel.save()
    wider = f.event_type(
        None, "Everyone", hosts=(admin, member, f.calendly_user(org, "Zed")), org=org
    )
    wider.pooling_type = "collective"
    wider.save()
    offered = f.slot(panel, f.utc(2025, 10, 28, 13))
    html, actions = found(client, {"member": [admin.pk, member.pk], "duration": 60, "tz": "UTC"})
    first, second = actions[:2]
    assert first.slot.start == f.utc(2025, 10, 28, 13)
    assert first.booking.url == offered.scheduling_url and first.booking.offered
    assert f'href="{offered.scheduling_url}" rel="noopener" data-testid="slot-booking"' in html
    assert not second.booking.offered and second.booking.url == panel.scheduling_url
    assert 'data-testid="slot-booking-missing"' in html
    assert "Everyone" not in html  # hosts beyond those free: not their meeting
    _, alone = found(client, {"member": [member.pk], "duration": 60, "tz": "UTC"})
    assert all(a.booking is None for a in alone)


@pytest.mark.parametrize(
    ("days", "said", "searched"),
    [
        ("abc", "“abc” is not a number of days, so 14 are searched.", 14),
        ("999", "At most 28 days can be searched, so 28 are.", 28),
        ("0", "A search needs at least one day, so 14 are searched.", 14),
        ("-3", "A search needs at least one day, so 14 are searched.", 14),
    ],
)
def test_a_span_that_is_not_one_is_said(client, team, admin, member, days, said, searched):
    response = client.get(reverse(FIND), {"member": [admin.pk, member.pk], "days": days})
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-testid="find-days-error">(.*?)</p>', html).group(1) == said
    assert len(response.context["result"].days) == searched


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"start": "tomorrow"}, "not a date and time"),
        ({"start": ""}, "not a date and time"),
        ({"start": "2025-10-29T10:00:00"}, "no UTC offset"),
        ({"start": "2025-10-28T11:00:00+00:00"}, "has started or is over"),
        ({"start": "9999-12-31T23:59:59+00:00"}, "past the synced data"),
        ({"start": "2025-10-29T13:00:00+00:00", "duration": "7"}, "length is not one"),
        ({"start": "2025-10-29T13:00:00+00:00", "duration": "x"}, "length is not one"),
    ],
)
def test_a_malformed_invitation_is_a_400_that_says_why(client, team, admin, params, reason):
    ask = {"member": [admin.pk], "all": "0", "duration": "30"} | params
    response = client.get(reverse(ICS), ask)
    assert response.status_code == 400
    assert reason in response.content.decode()


def test_an_invitation_names_only_the_viewers_own_organization(
    client, team, admin, member, outsider
):
    start = "2025-10-29T13:00:00+00:00"
    ask = {"all": "0", "member": [member.pk, outsider.pk], "start": start, "duration": "30"}
    raw, calendar = ics(client, f"{reverse(ICS)}?{_query(ask)}")
    attendees = {str(a) for a in calendar.walk("VEVENT")[0].attendees}
    assert attendees == {f"mailto:{member.email}"}
    assert outsider.email.encode() not in raw and b"Gina" not in raw
    only_theirs = client.get(reverse(ICS), ask | {"member": [outsider.pk]})
    assert only_theirs.status_code == 400
    assert "Gina" not in only_theirs.content.decode()
    everyone = ics(client, f"{reverse(ICS)}?{_query(ask | {'all': '1', 'member': []})}")[1]
    assert len(everyone.walk("VEVENT")[0].attendees) == 2  # Adam and Nora, not Gina


def test_a_plain_member_gets_no_invitation(client, team, member, admin):
    f.sign_in(client, member)
    ask = {"all": "1", "start": "2025-10-29T13:00:00+00:00", "duration": "30"}
    response = client.get(reverse(ICS), ask)
    assert response.status_code == 403
    assert admin.email not in response.content.decode()


def _query(params: dict) -> str:
    return urlencode(params, doseq=True)


def test_the_invitation_link_carries_the_search_as_asked(client, team, admin, member):
    _, actions = found(client, {"member": [member.pk], "duration": 45, "tz": "UTC"})
    query = parse_qs(urlsplit(actions[0].invitation_url).query)
    assert query["all"] == ["0"] and query["member"] == [str(member.pk)]
    assert query["duration"] == ["45"]
    assert datetime.fromisoformat(query["start"][0]) == actions[0].slot.start
