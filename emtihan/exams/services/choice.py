"""An exam follows the head's decisions on its exam-form choice.

The rule (docs/EXAMS.md, "An exam and its exam-form choice"): an exam is published only
while its choice is approved for a platform and form held here (``publish_problems``);
when the head reopens the approved choice, a published exam goes back to draft in the same
transaction, so students who have not started it no longer see it and nobody can start it.
Attempts already started are never touched here (their sittings run on to their own
deadlines); the head is asked to confirm, with their number, before the decision
(``examforms.services.ConfirmationRequired``).

examforms sits below this app and never imports it: ``ExamsConfig.ready`` registers
``FOLLOWER`` with ``examforms.services.follow_choices``, and examforms calls it inside the
decision, with the choice row already locked (so the exams are locked after their choice,
the order ``rules.locked_exam`` keeps too).
"""

from __future__ import annotations

from django.db.models import Count

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.examforms.models import ExamFormChoice
from emtihan.examforms.services import Dependent

from ..models import Exam, ExamStatus


def _locked_exams(choice: ExamFormChoice) -> list[Exam]:
    return list(Exam.objects.select_for_update(of=("self",)).filter(choice=choice).order_by("pk"))


def _attempt_counts(exams: list[Exam]) -> dict[int, int]:
    # Counted apart from the lock: PostgreSQL refuses FOR UPDATE with GROUP BY.
    rows = (
        Exam.objects.filter(pk__in=[e.pk for e in exams])
        .annotate(n=Count("attempts"))
        .values_list("pk", "n")
    )
    return dict(rows)


class _ExamsFollowChoices:
    def dependents(self, choice: ExamFormChoice) -> list[Dependent]:
        exams = _locked_exams(choice)
        counts = _attempt_counts(exams)
        return [Dependent(name=exam.title, attempts=counts.get(exam.pk, 0)) for exam in exams]

    def choice_left_approval(self, *, choice: ExamFormChoice, actor: User) -> None:
        """Published exams of the reopened choice go back to draft (one audit entry each)."""
        exams = [e for e in _locked_exams(choice) if e.status == ExamStatus.PUBLISHED]
        counts = _attempt_counts(exams)
        for exam in exams:
            exam.status = ExamStatus.DRAFT
            exam.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=actor,
                action="exams.withdraw",
                obj=exam,
                data={
                    "reason": "choice reopened",
                    "choice": choice.pk,
                    "attempts_kept": counts.get(exam.pk, 0),
                },
            )


FOLLOWER = _ExamsFollowChoices()
