from django.urls import path

from evaluations.ratings import views

app_name = "ratings"

urlpatterns = [
    path("<int:period_pk>/", views.ratings_index, name="index"),
    path("<int:period_pk>/<int:org_pk>/", views.ratings_table, name="table"),
    path("<int:period_pk>/<int:org_pk>/exception/", views.ratings_exception, name="exception"),
    path("<int:period_pk>/<int:org_pk>/close/", views.ratings_close, name="close"),
    path("<int:period_pk>/<int:org_pk>/reopen/", views.ratings_reopen, name="reopen"),
]
