from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from availability import views as availability_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("week/", availability_views.dashboard, name="dashboard"),
    path("settings/connection/", account_views.connection_settings, name="connection_settings"),
    path("settings/connection/disconnect/", account_views.disconnect, name="disconnect_calendly"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
