from django.urls import path

from evaluations.past_results import views

app_name = "pastresults"

urlpatterns = [
    path("", views.rating_list, name="index"),
    path("import/<int:org_pk>/", views.import_upload, name="import"),
    path("batch/<int:pk>/", views.import_batch, name="batch"),
    path("batch/<int:pk>/confirm/", views.import_confirm, name="confirm"),
    path("batch/<int:pk>/cancel/", views.import_cancel, name="cancel"),
    path("batch/<int:pk>/errors.xlsx", views.import_errors, name="errors"),
    path("template.xlsx", views.import_template, name="template"),
]
