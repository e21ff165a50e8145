from django.urls import path

from meetings.guidance import views as guidance_views

app_name = "guidance"

urlpatterns = [
    path("", guidance_views.guidance_list, name="list"),
    path("new/<int:org_pk>/", guidance_views.guidance_create, name="create"),
]
