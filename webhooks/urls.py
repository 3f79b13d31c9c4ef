from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("calendly/", views.calendly, name="calendly"),
    path("changes/<int:member_id>/", views.changes, name="changes"),
]
