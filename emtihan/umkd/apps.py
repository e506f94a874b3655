from django.apps import AppConfig


class UmkdConfig(AppConfig):
    name = "emtihan.umkd"
    label = "umkd"
