from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "emtihan.exams"
    label = "exams"
