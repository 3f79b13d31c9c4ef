"""Field readers at the places `make mutation` found unwatched: a loopback link whose real
host hides behind a user name and a deep path, the sandbox's avatars on IPv6, avatars when
no host is allowed, a host that is only the allowed suffix, instants kept in UTC, and the
title of a record refused for its time."""

from __future__ import annotations

from datetime import UTC

import pytest

from calendly import fields as read


def test_a_loopback_user_name_before_another_host_is_no_link_however_deep_the_path():
    """The browser goes to evil.example: "localhost:8000" is only a user name there."""
    assert read.link("http://localhost:8000@evil.example/a/b/c") == ""


def test_the_sandboxs_avatar_on_the_ipv6_loopback_is_shown(settings):
    settings.CALENDLY_AVATAR_HOSTS = ["*.calendly.com"]
    url = "http://[::1]:8000/avatars/ana.png"
    assert read.avatar(url) == url


def test_without_the_setting_no_outside_avatar_is_loaded(settings):
    del settings.CALENDLY_AVATAR_HOSTS
    assert read.avatar("https://a.calendly.com/a.png") is None
    assert read.avatar("http://localhost:8000/a.png") == "http://localhost:8000/a.png"


def test_a_host_that_is_only_the_allowed_suffix_is_not_a_subdomain(settings):
    settings.CALENDLY_AVATAR_HOSTS = ["*.calendly.com"]
    assert read.avatar("https://.calendly.com/a.png") is None
    assert read.avatar("https://x.calendly.com/a.png") == "https://x.calendly.com/a.png"


def test_an_instant_with_an_offset_is_kept_in_utc_itself():
    """UTC as such (not an equal offset) is what the interval arithmetic takes unconverted."""
    moment = read.parse_time("2030-01-07T10:00:00+02:00")
    assert moment.tzinfo is UTC and moment.hour == 8


def test_a_record_without_a_readable_time_is_titled_like_every_refused_record():
    refused = r"^Malformed resource: a Calendly resource lacks a valid 'start_time'$"
    with pytest.raises(read.MalformedResource, match=refused):
        read.required_time({"start_time": "soon"}, "start_time")
