from django.apps import AppConfig


class GradingConfig(AppConfig):
    name = "emtihan.grading"
    label = "grading"

    def ready(self) -> None:
        # The student's Exams tab shows a released result beside each sitting: attempts
        # asks its registered result sources; it never imports this app (the layers
        # contract), as with proctoring's start gate.
        from emtihan.attempts.selectors import register_result_source

        from .selectors import released_results

        register_result_source(released_results)
