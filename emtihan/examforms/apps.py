from django.apps import AppConfig


class ExamformsConfig(AppConfig):
    name = "emtihan.examforms"
    label = "examforms"
