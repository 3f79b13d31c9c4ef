"""Request ids and the Content-Security-Policy, as a browser or a proxy sees them."""

from __future__ import annotations

import re
import uuid

from tests.workers import PROJECT_ROOT


def test_a_sane_incoming_request_id_is_kept_and_returned(client):
    request_id = uuid.uuid4().hex
    response = client.get("/", HTTP_X_REQUEST_ID=request_id)
    assert response["X-Request-ID"] == request_id


def test_a_junk_request_id_is_replaced_by_a_fresh_one(client):
    response = client.get("/", HTTP_X_REQUEST_ID='"><script>alert(1)</script>')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_request_gets_an_id(client):
    first, second = client.get("/")["X-Request-ID"], client.get("/")["X-Request-ID"]
    assert first != second


def test_pages_carry_a_policy_without_inline_scripts_or_styles(client):
    policy = client.get("/")["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    # Images from Calendly's image hosts, not from any https host an answer names.
    assert "https:" not in directives["img-src"]
    assert "https://*.cloudfront.net" in directives["img-src"]


def test_sign_in_may_post_on_to_calendly(client, settings):
    # Chrome applies form-action to the redirect that follows the sign-in POST.
    policy = client.get("/")["Content-Security-Policy"]
    assert settings.CALENDLY_AUTH_BASE_URL in policy.split("form-action", 1)[1].split(";")[0]


def test_templates_need_nothing_the_policy_forbids():
    """No inline script, no style element or attribute, no on* handler: they would be blocked."""
    for template in (PROJECT_ROOT / "templates").rglob("*.html"):
        html = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), template
        assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html), template
    base = (PROJECT_ROOT / "templates" / "base.html").read_text()
    # htmx would otherwise inject an inline <style> for its request indicators.
    assert '"includeIndicatorStyles": false' in base
