from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/retry/", views.report_retry, name="retry"),
    path("<int:pk>/download.pdf", views.report_download, {"fmt": "pdf"}, name="download_pdf"),
    path("<int:pk>/download.xlsx", views.report_download, {"fmt": "xlsx"}, name="download_xlsx"),
]
