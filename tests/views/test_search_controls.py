"""Control characters in the ``q`` search parameter are dropped before the search: a NUL,
which PostgreSQL refuses in a query parameter (a 500 before), or a TAB, ESC, DEL or C1
control in the text searches for the rest. Run it on PostgreSQL too (DATABASE_URL)."""

import pytest
from django.urls import reverse

from tests.views import factories as f

SEARCH_PAGES = ["team", "team_hours", "team_hours_csv", "find_a_time", "find_a_time_members"]
# "Nora" with a control character inside, and around it.
CONTROLLED = ["No\x00ra", "\x00Nora\x00", "No\tra", "N\x1bora", "Nor\x7fa", "No\x85ra", "\x00" * 50]


@pytest.fixture
def searcher(client, clock, org, admin, member):
    f.calendly_user(org, "Zed Elsewhere", email="zed@acme.example")
    f.sign_in(client, admin)
    return client


@pytest.mark.parametrize("page", SEARCH_PAGES)
@pytest.mark.parametrize("q", CONTROLLED, ids=[repr(q)[:12] for q in CONTROLLED])
def test_control_characters_are_stripped_from_the_search(searcher, page, q):
    response = searcher.get(reverse(f"dashboard:{page}"), {"q": q})
    assert response.status_code == 200, (page, q, response.status_code)
    body = response.content.decode()
    if q.strip("\x00"):  # a search for Nora, once the controls are gone
        assert "Nora York" in body, (page, q)
        if page.startswith("find_a_time"):  # the picker's matches; the heatmap has everyone
            assert body.count('data-testid="member-match"') == 1, (page, q)
        else:
            assert "Zed Elsewhere" not in body, (page, q)
    assert "\x00" not in body


def test_the_search_box_shows_the_text_without_its_controls(searcher):
    body = searcher.get(reverse("dashboard:team"), {"q": "No\x00ra"}).content.decode()
    assert 'value="Nora"' in body
