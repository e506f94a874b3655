from django.apps import AppConfig


class ProctoringConfig(AppConfig):
    name = "emtihan.proctoring"
    label = "proctoring"

    def ready(self) -> None:
        # The start gate (docs/PROCTORING.md): attempts asks its registered requirements
        # before a first start; it never imports this app (the layers contract).
        from emtihan.attempts.services import register_start_requirement

        from .services.gate import start_requirement

        register_start_requirement(start_requirement)
