from django.urls import path

from . import views

app_name = "exams"
urlpatterns = [
    path("", views.exam_list, name="list"),
    path("marking/", views.grader_home, name="grader_home"),
    path("assignments/", views.assignment_list, name="assignments"),
    path(
        "assignments/<str:kind>/<id:pk>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("new/<id:choice_id>/", views.exam_create, name="create"),
    path("<id:exam_id>/", views.exam_detail, name="detail"),
    path("<id:exam_id>/edit/", views.exam_edit, name="edit"),
    path("<id:exam_id>/publish/", views.exam_publish, name="publish"),
    path("<id:exam_id>/delete/", views.exam_delete, name="delete"),
    path("<id:exam_id>/questions/new/<str:kind>/", views.question_create, name="question_create"),
    path("<id:exam_id>/questions/<id:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<id:exam_id>/questions/<id:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<id:exam_id>/pools/", views.pool_create, name="pool_create"),
    path("<id:exam_id>/pools/<id:pool_id>/", views.pool_edit, name="pool_edit"),
    path("<id:exam_id>/pools/<id:pool_id>/delete/", views.pool_delete, name="pool_delete"),
    path("<id:exam_id>/accommodations/", views.accommodation_set, name="accommodation_set"),
    path(
        "<id:exam_id>/accommodations/<id:accommodation_id>/delete/",
        views.accommodation_delete,
        name="accommodation_delete",
    ),
    path("<id:exam_id>/import/", views.questions_import, name="import"),
    path(
        "<id:exam_id>/imports/<id:import_id>/",
        views.question_import_detail,
        name="import_detail",
    ),
]
