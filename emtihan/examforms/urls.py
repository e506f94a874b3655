from django.urls import path

from . import views

app_name = "examforms"
urlpatterns = [
    path("", views.teacher_list, name="teacher_list"),
    path("edit/<id:discipline_id>/<id:group_id>/", views.choice_edit, name="choice_edit"),
    path("review/", views.review, name="review"),
    path("review/<id:pk>/", views.review_choice, name="review_choice"),
    path("review/bulk/", views.review_bulk, name="review_bulk"),
    path("export/", views.export, name="export"),
]
