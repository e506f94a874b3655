from django.apps import AppConfig


class AttemptsConfig(AppConfig):
    name = "emtihan.attempts"
    label = "attempts"
