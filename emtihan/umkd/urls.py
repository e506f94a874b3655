from django.urls import path

from . import views

app_name = "umkd"
urlpatterns = [
    path("", views.my_disciplines, name="my_disciplines"),
    path("<id:discipline_id>/", views.discipline_materials, name="discipline_materials"),
    path("version/<id:pk>/download/", views.download, name="download"),
]
