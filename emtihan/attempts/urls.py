from django.urls import path

from . import views

app_name = "attempts"
urlpatterns = [
    path("", views.home, name="home"),
    path("exams/", views.exams, name="exams"),
    path("exams/<id:exam_id>/", views.exam, name="exam"),
    path("<id:attempt_id>/", views.sitting, name="sitting"),
    path("<id:attempt_id>/finished/", views.finished, name="finished"),
    path("<id:attempt_id>/pictures/<id:picture_id>/", views.picture, name="picture"),
    path("pictures/<uuid:key>/", views.picture_by_key, name="picture_by_key"),
    path("proctor/", views.proctor_exams, name="proctor_exams"),
    path("decisions/", views.decisions, name="decisions"),
    path("decisions/exams/<id:exam_id>/", views.exam_attempts, name="exam_attempts"),
    path("decisions/<id:attempt_id>/", views.decide, name="decide"),
    path(
        "decisions/proposals/<id:proposal_id>/",
        views.review_proposal,
        name="review_proposal",
    ),
]
