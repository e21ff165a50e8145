from django.urls import path

from cells import views

app_name = "cells"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.organization_detail, name="detail"),
    path("<int:pk>/new/", views.organization_create, name="create"),
    path("<int:pk>/edit/", views.organization_edit, name="edit"),
    path("<int:pk>/move/", views.organization_move, name="move"),
    path("<int:pk>/dissolve/", views.organization_dissolve, name="dissolve"),
    path("<int:pk>/merge/", views.organization_merge, name="merge"),
    path("<int:pk>/roles/", views.role_list, name="roles"),
    path("<int:pk>/roles/<int:assignment_pk>/revoke/", views.role_revoke, name="role_revoke"),
]
