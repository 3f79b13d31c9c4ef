"""Find a time says what it did with what was asked (issue #20, point 8): "at least K"
of fewer people, nobody picked, nothing found, and more times than the first shown."""

import re

import pytest
from django.urls import reverse

from tests.views import factories as f

FIND = "dashboard:find_a_time"


@pytest.fixture
def team(client, clock, org, admin, member):
    """Adam (Berlin) and Nora (New York) work 9-17: 13-16 UTC together on weekdays."""
    f.schedule(admin)
    f.schedule(member)
    f.sign_in(client, admin)
    return org


def test_at_least_more_than_are_compared_says_so(client, team, admin, member):
    ask = {"member": [admin.pk, member.pk], "duration": 60, "k": 9, "tz": "UTC"}
    html = client.get(reverse(FIND), ask).content.decode()
    said = re.search(r'data-testid="find-k-too-many">(.*?)</p>', html).group(1)
    assert "at least 9 free, but only 2 people are compared" in said
    assert "all 2 free" in html
    asked_fair = client.get(reverse(FIND), ask | {"k": 2}).content.decode()
    assert "find-k-too-many" not in asked_fair


def test_unticking_all_members_with_nobody_picked_searches_no_one_and_says_so(client, team):
    html = client.get(reverse(FIND), {"all": "0", "duration": 30}).content.decode()
    assert 'data-testid="find-nobody"' in html
    assert 'data-testid="found-slot"' not in html
    assert "all 2 free" not in html
    first_visit = client.get(reverse(FIND)).content.decode()
    assert "all 2 free" in first_visit  # no form sent: everyone, as before
    ticked = client.get(reverse(FIND), {"all": ["0", "1"]}).content.decode()
    assert "all 2 free" in ticked and "find-nobody" not in ticked


def test_nothing_found_is_a_sentence_not_item_one_of_a_list(client, team, admin, org):
    tokyo = f.calendly_user(org, "Tom Tokyo", "Asia/Tokyo")
    f.schedule(tokyo)  # 00-08 UTC: never with Adam's 08-16 and Nora's 13-21
    ask = {"member": [admin.pk, tokyo.pk], "duration": 120}
    f.busy(admin, f.utc(2025, 10, 28, 8), 60 * 24 * 7)  # Adam busy the whole week ahead
    html = client.get(reverse(FIND), ask | {"tz": "UTC"}).content.decode()
    assert 'data-testid="found-none"' in html
    assert 'data-testid="found-slots"' not in html  # no <ol>: nothing numbered "1."


def test_show_more_lists_twelve_more_times(client, team):
    first = client.get(reverse(FIND), {"all": "1", "duration": 15, "tz": "UTC"}).content.decode()
    assert first.count('data-testid="found-slot"') == 12
    more = re.search(r'href="([^"]*more=24[^"]*)"[^>]*data-testid="find-more"', first)
    assert more, "a Show more link"
    url = more.group(1).replace("&amp;", "&")
    second = client.get(url).content.decode()
    assert second.count('data-testid="found-slot"') == 24
    # The first twelve come first again, in the same order.
    labels = re.findall(r'class="found-when"><strong>(.*?)</strong>', first)
    assert re.findall(r'class="found-when"><strong>(.*?)</strong>', second)[:12] == labels
