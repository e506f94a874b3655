from django.urls import path

from . import views

app_name = "grading"
urlpatterns = [
    path("exams/<id:exam_id>/", views.pile, name="pile"),
    path("exams/<id:exam_id>/works/<str:code>/", views.work, name="work"),
    path("exams/<id:exam_id>/results/", views.results, name="results"),
    path("exams/<id:exam_id>/release/", views.release, name="release"),
    path("results/<id:attempt_id>/", views.result, name="result"),
    path("exams/<id:exam_id>/questions/<id:question_id>/rubric/", views.rubric, name="rubric"),
    path("exams/<id:exam_id>/works/<str:code>/settle/", views.settle, name="settle"),
    path("exams/<id:exam_id>/marking-settings/", views.marking_settings, name="marking_settings"),
    path("results/<id:attempt_id>/appeal/", views.appeal_file, name="appeal_file"),
    path("appeals/", views.appeals, name="appeals"),
    path("appeals/<id:appeal_id>/", views.appeal, name="appeal"),
    path("gradebook/", views.gradebook_page, name="gradebook"),
    path("gradebook/export/", views.gradebook_export, name="gradebook_export"),
    path("identifying-marks/", views.identifying, name="identifying"),
    path(
        "identifying-marks/<id:work_id>/",
        views.identifying_decide,
        name="identifying_decide",
    ),
    path("exams/<id:exam_id>/archive/", views.archive, name="archive"),
    path("exams/<id:exam_id>/archive/<id:build_id>/", views.archive_build, name="archive_build"),
    path(
        "exams/<id:exam_id>/archive/<id:build_id>/download/",
        views.archive_download,
        name="archive_download",
    ),
]
