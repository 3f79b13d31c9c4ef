"""Drives the sign-in round trip without a browser: the Django test client on the
dashboard's side, real HTTP to the sandbox's consent page on Calendly's side."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests
from django.urls import reverse

CALLBACK_PATH = "/accounts/calendly/login/callback/"


class _ConsentForm(HTMLParser):
    """Reads the first form of a page: its action, method and hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self._in_form = True
            self.action = attrs.get("action") or ""
            self.method = (attrs.get("method") or "get").lower()
        elif tag == "input" and self._in_form and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False


def start_sign_in(client) -> str:
    """Clicks "Sign in with Calendly" and returns the authorize URL it redirects to."""
    response = client.post(reverse("calendly_login"))
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def consent(authorize_url: str, email: str, decision: str = "Allow") -> str:
    """Answers the sandbox's consent page; returns where it redirects the browser."""
    page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    form = _ConsentForm()
    form.feed(page.text)
    assert form.action is not None, "the consent page has no form"
    data = {**form.fields, "email": email, decision: decision}
    target = urljoin(authorize_url, form.action)
    send = requests.post if form.method == "post" else requests.get
    answer = send(
        target,
        data=data if form.method == "post" else None,
        params=None if form.method == "post" else data,
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text[:500]
    return answer.headers["Location"]


def callback_path(redirect_location: str) -> str:
    """The part of the redirect the test client can follow (it serves http://testserver)."""
    assert CALLBACK_PATH in redirect_location, redirect_location
    return redirect_location[redirect_location.index(CALLBACK_PATH) :]


def sign_in(client, email: str):
    """The whole round trip; returns the dashboard's answer to the callback."""
    location = consent(start_sign_in(client), email)
    return client.get(callback_path(location))
