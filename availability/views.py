from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.connection import calendly_profile


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "availability/dashboard.html", {"profile": calendly_profile(request.user)})
