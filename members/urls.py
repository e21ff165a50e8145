from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("me/", views.my_record, name="me"),
    path("<int:pk>/", views.member_detail, name="detail"),
    path("new/<int:org_pk>/", views.member_create, name="create"),
]
