from django.urls import path

from evaluations.review import views

app_name = "evaluations"

urlpatterns = [
    path("", views.index, name="index"),
    path("open/<int:org_pk>/", views.period_open, name="open"),
    path("<int:pk>/", views.period_detail, name="period"),
    path("<int:pk>/lock/", views.period_lock, name="lock"),
    path("item/<int:pk>/", views.evaluation_detail, name="detail"),
    path("item/<int:pk>/evidence/<str:code>/", views.evidence_download, name="evidence"),
    path("rating/<int:pk>/exception/", views.member_cap_exception, name="member_cap_exception"),
]
