from django.urls import path

from meetings import views as views

app_name = "meetings"

urlpatterns = [
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/cells/", views.compliance_cells, name="compliance_cells"),
    path("list/", views.meeting_list, name="list"),
    path("flagged/", views.flagged, name="flagged"),
    path("cell/<int:org_pk>/", views.cell_meetings, name="cell"),
    path("cell/<int:org_pk>/new/", views.meeting_create, name="create"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/score/", views.meeting_score, name="score"),
    path("<int:pk>/finalise/", views.meeting_finalise, name="finalise"),
    path("<int:pk>/reopen/", views.meeting_reopen, name="reopen"),
    path("<int:pk>/confirm/", views.meeting_confirm, name="confirm"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
