from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "emtihan.accounts"
    label = "accounts"
