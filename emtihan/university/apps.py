from django.apps import AppConfig


class UniversityConfig(AppConfig):
    name = "emtihan.university"
    label = "university"
