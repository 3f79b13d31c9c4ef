from django.urls import path

from availability import views_team, views_week

app_name = "availability"

urlpatterns = [
    path("week/", views_week.my_week, name="week"),
    path("week/<int:member_id>/", views_week.my_week, name="member_week"),
    path("week/copy-times/", views_week.copy_times, name="copy_times"),
    path("sync/", views_week.sync_now, name="sync_now"),
    path("sync/progress/", views_week.sync_progress, name="sync_progress"),
    path("team/", views_team.team_week, name="team"),
    path("team/hours/", views_team.team_hours, name="team_hours"),
    path("team/hours.csv", views_team.team_hours_csv, name="team_hours_csv"),
    path("team/find-a-time/", views_team.find_a_time, name="find_a_time"),
    path("team/find-a-time/members/", views_team.find_a_time_members, name="find_a_time_members"),
]
