from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts import views as account_views
from dashboard.views import week

urlpatterns = [
    path("", account_views.home, name="home"),
    # "dashboard" is where sign-in lands; the same page as dashboard:week.
    path("week/", week.my_week, name="dashboard"),
    path("", include("dashboard.urls")),
    path("settings/connection/", account_views.connection_settings, name="connection_settings"),
    path("settings/connection/disconnect/", account_views.disconnect, name="disconnect_calendly"),
    # allauth's page for linking more accounts (and unlinking them) answers with a redirect to
    # our connection settings: a dashboard user holds one Calendly account, linked at sign-in
    # (the connect flow itself is refused in accounts/adapters.py). Same path, same name.
    path(
        "accounts/3rdparty/",
        RedirectView.as_view(pattern_name="connection_settings"),
        name="socialaccount_connections",
    ),
    path("accounts/", include("allauth.urls")),
    path("webhooks/", include("webhooks.urls")),
]
if settings.ADMIN_ENABLED:  # off in production unless ADMIN_ENABLED=true (config/settings/)
    urlpatterns.append(path("admin/", admin.site.urls))
