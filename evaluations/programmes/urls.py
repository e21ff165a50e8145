from django.urls import path

from evaluations.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:org_pk>/register/", views.register, name="register"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/check/<int:year>/", views.check, name="check"),
    path("<int:pk>/recognise/", views.recognise, name="recognise"),
    path("<int:pk>/fail/", views.fail, name="fail"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
]
