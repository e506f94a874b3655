from django.urls import path

from . import views

app_name = "proctoring"
urlpatterns = [
    path("exams/<id:exam_id>/log/", views.log, name="log"),
    path("exams/<id:exam_id>/check/", views.precheck, name="precheck"),
    path("exams/<id:exam_id>/check/consent/", views.precheck_consent, name="precheck_consent"),
    path("console/<id:exam_id>/", views.console, name="console"),
    path("console/<id:exam_id>/rows/", views.console_rows, name="console_rows"),
    path("review/<id:attempt_id>/", views.review, name="review"),
    path("review/<id:attempt_id>/identity/", views.identity_decision, name="identity_decision"),
    path("review/flags/<id:flag_id>/", views.flag_review, name="flag_review"),
    path("identity/<id:session_id>/", views.identity, name="identity"),
    path("media/<str:kind>/<id:pk>/", views.media, name="media"),
]
