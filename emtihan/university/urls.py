from django.urls import path

from . import views

app_name = "university"
urlpatterns: list = [
    path("imports/", views.import_list, name="import_list"),
    path("imports/<id:job_id>/", views.import_detail, name="import_detail"),
    path("imports/<id:job_id>/rerun/", views.import_rerun, name="import_rerun"),
]
