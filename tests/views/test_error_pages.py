"""A page not found is the app's own page: its header, a main landmark, a way back; and
it never says more than the path asked for (issue #20's accessibility checks)."""

from django.urls import reverse

from tests.views import factories as f


def test_a_page_not_found_says_so_in_the_apps_page_with_a_way_back(client, db):
    response = client.get("/no-such-page/<b>x</b>")
    body = response.content.decode()
    assert response.status_code == 404
    assert '<main id="main"' in body and "<h1>Page not found</h1>" in body
    # The path as Django quotes it: never markup of the asker's.
    assert "<code>/no-such-page/%3Cb%3Ex%3C/b%3E</code>" in body and "<b>x" not in body
    assert f'href="{reverse("home")}">Go to the start page</a>' in body


def test_a_member_not_yours_is_not_found_with_a_link_to_your_week(client, clock, member, admin):
    f.sign_in(client, member)
    response = client.get(reverse("dashboard:member_week", args=[admin.pk]))
    body = response.content.decode()
    assert response.status_code == 404 and "<h1>Page not found</h1>" in body
    assert f'href="{reverse("dashboard:week")}">Go to my week</a>' in body
    assert admin.name not in body
