from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "emtihan.core"
    label = "core"

    def ready(self) -> None:
        from django.urls import register_converter

        from .ids import IdConverter

        # Before any URLconf is loaded (they load lazily, at the first request or check).
        register_converter(IdConverter, "id")
