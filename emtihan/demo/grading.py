"""The demo's marking and results (``demo_seed``), through the real services: grader@
marks the completed Databases exam by code; student1's work is marked and its result
released by teacher@ (student1 sees the grade on the Exams tab); student2's work is
marked and waits for the next release (teacher@ sees "Release the results"); student21's
is not marked yet (all three sittings accepted by proctor@ first). student1
has appealed the released result: the appeal waits for teacher@ (exam → "Marking and results"
→ "Appeals"). Running it again changes nothing: an exam with a released work is left as it is.
"""

from __future__ import annotations

from decimal import Decimal

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt, Decision, DecisionCategory
from emtihan.exams.models import Exam, QuestionKind
from emtihan.grading.models import Mark, Work
from emtihan.grading.services import (
    MarkInput,
    appeal_file,
    results_release,
    work_mark,
    works_ensure,
)

COMMENTS = {
    "student1@demo.local": ("Жақсы жауап, бірақ нормализация толық түсіндірілмеген.", "0.75"),
    "student2@demo.local": ("Хороший ответ; не хватает примера с внешним ключом.", "0.5"),
}

APPEAL = (
    "Жазбаша сұрақта мысалды толық келтірдім (сыртқы кілтпен), бірақ ол бағада ескерілмеген. "
    "Қайта тексеруіңізді сұраймын."
)


def _mark(work: Work, grader: User, comment: str, share: str) -> None:
    marks = []
    for mark in Mark.objects.filter(work=work).select_related("question"):
        if mark.question.kind == QuestionKind.WRITTEN:
            points = (mark.question.points * Decimal(share)).quantize(Decimal("0.01"))
            marks.append(MarkInput(mark.question_id, str(points), comment))
        else:
            marks.append(MarkInput(mark.question_id, str(mark.points)))
    work_mark(actor=grader, work_id=work.pk, revision=work.revision, marks=marks)


def seed(exam: Exam | None, grader: User, teacher: User, proctor: User) -> None:
    if exam is None or Work.objects.filter(exam=exam, released_at__isnull=False).exists():
        return
    # The demo's sittings sent their answers minutes apart (past the absence cap): the
    # proctor accepts them first, as technical absence only.
    for attempt in Attempt.objects.filter(exam=exam, decision=Decision.PENDING):
        attempts.attempt_decide(
            actor=proctor,
            attempt_id=attempt.pk,
            decision=Decision.CONTINUE,
            category=DecisionCategory.TECHNICAL_ONLY,
            comment="",
        )
    works_ensure(exam=exam)
    works = {
        w.attempt.student.user.email: w
        for w in Work.objects.filter(exam=exam).select_related("attempt__student__user")
    }
    first = works.get("student1@demo.local")
    if first is not None:
        _mark(first, grader, *COMMENTS["student1@demo.local"])
        results_release(actor=teacher, exam=exam)
        appeal_file(actor=first.attempt.student.user, attempt_id=first.attempt_id, reason=APPEAL)
    second = works.get("student2@demo.local")
    if second is not None:
        second.refresh_from_db()
        _mark(second, grader, *COMMENTS["student2@demo.local"])
