from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts import calendly_connection, scopes


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "home.html")


@require_GET
@login_required
def connection_settings(request: HttpRequest) -> HttpResponse:
    credential = calendly_connection.credential_for(request.user)
    context = {}
    if credential is not None:
        wanted = scopes.wanted_scopes(credential)
        context = {
            "legacy_scopes": scopes.is_legacy(credential),
            "wanted_scopes": wanted,
            "scopes_missing": [scope.name for scope in wanted if not scope.granted],
            "extra_scopes": scopes.extra_scopes(credential),
            "polling_only": not scopes.has_scope(credential, "webhooks:write"),
            "groups_unavailable": not scopes.has_scope(credential, "groups:read"),
        }
    return render(request, "accounts/connection.html", context)


@require_POST
@login_required
def disconnect(request: HttpRequest) -> HttpResponse:
    credential = calendly_connection.credential_for(request.user)
    if credential is None:
        messages.info(request, "Calendly was not connected.")
    elif calendly_connection.disconnect(credential):
        messages.success(
            request, "Calendly is disconnected: its tokens are revoked and deleted here."
        )
    else:
        messages.warning(
            request,
            "Calendly's tokens are deleted here, but Calendly did not confirm revoking them; "
            "you can remove the app in Calendly's settings.",
        )
    return redirect("connection_settings")
