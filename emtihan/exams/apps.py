from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "emtihan.exams"
    label = "exams"

    def ready(self) -> None:
        # An exam follows the head's decisions on its exam-form choice (services/choice.py).
        from emtihan.examforms.services import follow_choices

        from .services.choice import FOLLOWER

        follow_choices(FOLLOWER)
