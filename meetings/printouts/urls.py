from django.urls import path

from meetings.printouts import views as views

app_name = "printouts"

urlpatterns = [
    path("<int:org_pk>/attendance-sheet.pdf", views.attendance_sheet, name="attendance_sheet"),
    path("<int:org_pk>/minutes-blank.pdf", views.minutes_blank, name="minutes_blank"),
    path("meeting/<int:meeting_pk>/minutes.pdf", views.minutes, name="minutes"),
]
