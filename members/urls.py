from django.urls import path

from members import views, views_list

app_name = "members"

urlpatterns = [
    path("", views_list.member_list_view, name="list"),
    path("export.csv", views_list.member_export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", views_list.member_export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("new/<int:org_pk>/", views.member_create, name="create"),
]
