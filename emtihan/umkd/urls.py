from django.urls import path

from . import views

app_name = "umkd"
urlpatterns = [
    path("", views.my_disciplines, name="my_disciplines"),
    path("<int:discipline_id>/", views.discipline_materials, name="discipline_materials"),
    path("version/<int:pk>/download/", views.download, name="download"),
]
