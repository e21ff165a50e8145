from django.urls import path

from evaluations.mass_mobilisation import views

app_name = "massmobilisation"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/<int:org_pk>/", views.create, name="create"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
