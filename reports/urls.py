from django.urls import path

from reports import views
from reports.documents import views as documents

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/download.pdf", views.report_download, {"fmt": "pdf"}, name="download_pdf"),
    path("<int:pk>/download.xlsx", views.report_download, {"fmt": "xlsx"}, name="download_xlsx"),
    path("<int:pk>/text/", documents.narrative_edit, name="narrative"),
    path("<int:pk>/issue/", documents.issue, name="issue"),
    path("register/", documents.register, name="register"),
    path("settings/<int:org>/", documents.issuer_settings, name="issuer_settings"),
]
