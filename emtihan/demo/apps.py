from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo university (``manage.py demo_seed``): the top layer, built only through the
    services of the apps below it, so the demo shows what the real code does."""

    name = "emtihan.demo"
    label = "demo"
