import pytest

from tests.accounts.oauth_flow import CALLBACK_PATH

CLIENT_ID = "dashboard-under-test"
CLIENT_SECRET = "dashboard-under-test-secret"


def point_dashboard_at(settings, base_url: str, redirect_host: str = "http://testserver") -> None:
    """The dashboard's Calendly settings, as a self-hoster would set them, aimed at the sandbox."""
    settings.CALENDLY_AUTH_BASE_URL = base_url
    settings.CALENDLY_API_BASE_URL = base_url
    settings.CALENDLY_CLIENT_ID = CLIENT_ID
    settings.CALENDLY_CLIENT_SECRET = CLIENT_SECRET
    directives = dict(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"])
    directives["form-action"] = ["'self'", base_url]
    directives["img-src"] = [*directives["img-src"], base_url]
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": directives}
    settings.SOCIALACCOUNT_PROVIDERS = {
        "calendly": {
            "APPS": [{"client_id": CLIENT_ID, "secret": CLIENT_SECRET}],
            "SCOPE": [],
            "OAUTH_PKCE_ENABLED": True,
        }
    }


@pytest.fixture
def calendly(sandbox, settings):
    """The sandbox as this dashboard's Calendly: client registered, settings aimed at it."""
    sandbox.register_client(
        CLIENT_ID, CLIENT_SECRET, [f"http://testserver{CALLBACK_PATH}"], name="Dashboard under test"
    )
    point_dashboard_at(settings, sandbox.url)
    return sandbox
