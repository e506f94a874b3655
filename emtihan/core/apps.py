from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "emtihan.core"
    label = "core"
