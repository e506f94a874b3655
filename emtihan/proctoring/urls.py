from django.urls import path

from . import views

app_name = "proctoring"
urlpatterns = [
    path("exams/<id:exam_id>/log/", views.log, name="log"),
    path("media/<str:kind>/<id:pk>/", views.media, name="media"),
]
