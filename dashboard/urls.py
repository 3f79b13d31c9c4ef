from django.urls import path

from dashboard.views import copy_times, find_time, hours, invitation, team, week

app_name = "dashboard"

urlpatterns = [
    path("week/", week.my_week, name="week"),
    path("week/<int:member_id>/", week.my_week, name="member_week"),
    path("week/copy-times/", copy_times.copy_times, name="copy_times"),
    path("sync/", week.sync_now, name="sync_now"),
    path("sync/progress/", week.sync_progress, name="sync_progress"),
    path("team/", team.team_week, name="team"),
    path("team/hours/", hours.team_hours, name="team_hours"),
    path("team/hours.csv", hours.team_hours_csv, name="team_hours_csv"),
    path("team/find-a-time/", find_time.find_a_time, name="find_a_time"),
    path("team/find-a-time/members/", find_time.find_a_time_members, name="find_a_time_members"),
    path("team/find-a-time/invitation.ics", invitation.find_a_time_invitation,
         name="find_a_time_invitation"),
]
