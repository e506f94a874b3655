from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "emtihan.accounts"
    label = "accounts"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the log-in throttle's receivers)
