from django.urls import path

from members import views
from members.importing import views as import_views
from members.residence import views as residence_views

app_name = "members"

urlpatterns = [
    path("", views.member_list_view, name="list"),
    path("export.csv", views.member_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views.member_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("new/<int:org_pk>/", views.member_create, name="create"),
    path("<int:pk>/edit/", views.member_edit, name="edit"),
    path("<int:pk>/status/", views.member_status, name="status"),
    path("<int:pk>/positions/new/", views.position_assign, name="position_assign"),
    path("<int:pk>/positions/<int:position_pk>/end/", views.position_end, name="position_end"),
    path("<int:pk>/discipline/new/", views.discipline_record, name="discipline_record"),
    path("<int:pk>/discipline/<int:discipline_pk>/annul/", views.discipline_annul, name="discipline_annul"),
    path("<int:pk>/transfer/", views.transfer_official, name="transfer"),
    path("<int:pk>/transfer/temporary/", views.transfer_temporary_out, name="transfer_temporary"),
    path("<int:pk>/residence/new/", residence_views.feedback_create, name="residence_create"),
    path("<int:pk>/residence/<int:feedback_pk>/", residence_views.feedback_edit, name="residence_edit"),
    path("<int:pk>/residence/<int:feedback_pk>/delete/", residence_views.feedback_delete, name="residence_delete"),
    path("temporary/new/<int:org_pk>/", views.temporary_in, name="temporary_in"),
    path("temporary/<int:transfer_pk>/end/", views.temporary_end, name="temporary_end"),
    path("import/", import_views.import_start, name="import_start"),
    path("import/<int:org_pk>/", import_views.import_upload, name="import"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/batch/<int:pk>/", import_views.import_batch, name="import_batch"),
    path("import/batch/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("import/batch/<int:pk>/cancel/", import_views.import_cancel, name="import_cancel"),
    path("import/batch/<int:pk>/errors.xlsx", import_views.import_errors, name="import_errors"),
]
