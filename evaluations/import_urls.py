from django.urls import path

from evaluations import import_views

app_name = "pastresults"

urlpatterns = [
    path("", import_views.rating_list, name="index"),
    path("import/<int:org_pk>/", import_views.import_upload, name="import"),
    path("batch/<int:pk>/", import_views.import_batch, name="batch"),
    path("batch/<int:pk>/confirm/", import_views.import_confirm, name="confirm"),
    path("batch/<int:pk>/cancel/", import_views.import_cancel, name="cancel"),
    path("batch/<int:pk>/errors.xlsx", import_views.import_errors, name="errors"),
    path("template.xlsx", import_views.import_template, name="template"),
]
