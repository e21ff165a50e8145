from django.urls import path

from criteria import views

app_name = "criteria"

urlpatterns = [
    path("", views.criteria_set_list, name="list"),
    path("<int:pk>/", views.criteria_set_detail, name="detail"),
    path("<int:pk>/diff/", views.criteria_set_diff, name="diff"),
    path("<int:pk>/copy/", views.criteria_set_copy, name="copy"),
    path("<int:pk>/edit/", views.criteria_set_edit, name="edit"),
    path("<int:pk>/criteria/add/", views.criterion_edit, name="criterion_add"),
    path("<int:pk>/criteria/<int:criterion_pk>/edit/", views.criterion_edit, name="criterion_edit"),
    path("<int:pk>/criteria/<int:criterion_pk>/delete/", views.criterion_delete, name="criterion_delete"),
    path("<int:pk>/groups/add/", views.group_edit, name="group_add"),
    path("<int:pk>/groups/<int:group_pk>/edit/", views.group_edit, name="group_edit"),
    path("<int:pk>/groups/<int:group_pk>/delete/", views.group_delete, name="group_delete"),
]
