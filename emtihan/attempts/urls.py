from django.urls import path

from . import views

app_name = "attempts"
urlpatterns = [
    path("", views.home, name="home"),
    path("exams/", views.exams, name="exams"),
    path("exams/<int:exam_id>/", views.exam, name="exam"),
    path("<int:attempt_id>/", views.sitting, name="sitting"),
    path("<int:attempt_id>/finished/", views.finished, name="finished"),
    path("<int:attempt_id>/pictures/<int:picture_id>/", views.picture, name="picture"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/exams/<int:exam_id>/", views.exam_attempts, name="exam_attempts"),
    path("decisions/<int:attempt_id>/", views.decide, name="decide"),
]
