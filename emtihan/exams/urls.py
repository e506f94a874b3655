from django.urls import path

from . import views

app_name = "exams"
urlpatterns = [
    path("", views.exam_list, name="list"),
    path("new/<int:choice_id>/", views.exam_create, name="create"),
    path("<int:exam_id>/", views.exam_detail, name="detail"),
    path("<int:exam_id>/edit/", views.exam_edit, name="edit"),
    path("<int:exam_id>/publish/", views.exam_publish, name="publish"),
    path("<int:exam_id>/delete/", views.exam_delete, name="delete"),
    path("<int:exam_id>/questions/new/<str:kind>/", views.question_create, name="question_create"),
    path("<int:exam_id>/questions/<int:question_id>/", views.question_edit, name="question_edit"),
    path(
        "<int:exam_id>/questions/<int:question_id>/delete/",
        views.question_delete,
        name="question_delete",
    ),
    path("<int:exam_id>/pools/", views.pool_create, name="pool_create"),
    path("<int:exam_id>/pools/<int:pool_id>/", views.pool_edit, name="pool_edit"),
    path("<int:exam_id>/pools/<int:pool_id>/delete/", views.pool_delete, name="pool_delete"),
    path("<int:exam_id>/accommodations/", views.accommodation_set, name="accommodation_set"),
    path(
        "<int:exam_id>/accommodations/<int:accommodation_id>/delete/",
        views.accommodation_delete,
        name="accommodation_delete",
    ),
    path("<int:exam_id>/import/", views.questions_import, name="import"),
]
