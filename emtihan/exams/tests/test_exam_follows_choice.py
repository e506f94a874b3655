"""An exam follows the head's decisions on its exam-form choice (docs/EXAMS.md, "An exam and
its exam-form choice"; issue 8: a reopened or changed choice left its exam published).

- reopening the approved choice takes a published exam back to draft: students who have
  not started it no longer see it and cannot start it;
- an exam is published only while its choice is approved for a platform held here;
- when students have started the exam, the head confirms with the number of attempts
  before reopening or returning; those attempts are kept and run on to their deadlines;
- an exam with attempts can no longer be changed or deleted.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from django.utils.translation import override

from emtihan.attempts import selectors as attempt_selectors
from emtihan.attempts import services as attempts
from emtihan.attempts.models import AnswerVersion, AttemptStatus
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, ValidationFailed
from emtihan.examforms import services as examforms
from emtihan.examforms.models import ChoiceStatus
from emtihan.examforms.services import ChoiceInput, ConfirmationRequired
from emtihan.exams import services
from emtihan.exams.models import ExamStatus, QuestionKind
from emtihan.exams.tests.conftest import add_question, approve, new_exam
from emtihan.university.models import Student

pytestmark = pytest.mark.django_db

REASON = "The programme was replaced"


def published(world, choice, *, open_now: bool = False):
    fields = {}
    if open_now:
        opens = timezone.now() - dt.timedelta(minutes=10)
        fields = {"opens_at": opens, "closes_at": opens + dt.timedelta(hours=4)}
    exam = new_exam(world, choice, **fields)
    add_question(world, exam, QuestionKind.TRUE_FALSE)
    return services.exam_publish(actor=world.teacher, exam=exam)


def resubmit(world, choice, **changes):
    data = ChoiceInput.of(choice)
    for name, value in changes.items():
        setattr(data, name, value)
    return examforms.choice_save(
        actor=world.teacher, discipline=choice.discipline, group=choice.group, data=data,
        expected_revision=choice.revision,
    )  # fmt: skip


@pytest.fixture
def classmate(world):
    user = make_user("student2@test.local", "student", password="100002")
    Student.objects.create(user=user, student_id="100002", group=world.g1)
    return user


def sees(user, exam) -> bool:
    lists = attempt_selectors.exams_for_student(user)
    shown = [row.exam.pk for row in lists.active + lists.upcoming + lists.completed]
    return exam.pk in shown and attempt_selectors.exam_for_student(user, exam.pk) is not None


# --- no attempts: the exam goes back to draft -------------------------------------------------


def test_reopening_the_choice_takes_the_published_exam_back_to_draft(world):
    choice = approve(world)
    exam = published(world, choice)
    assert sees(world.student, exam)

    examforms.choice_reopen(actor=world.head, choice_id=choice.pk, comment=REASON)

    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    assert not sees(world.student, exam)
    entry = AuditEntry.objects.get(action="exams.withdraw")
    assert entry.data == {"reason": "choice reopened", "choice": choice.pk, "attempts_kept": 0}
    assert entry.actor == world.head


def test_no_publishing_while_the_choice_is_not_approved(world):
    choice = approve(world)
    exam = new_exam(world, choice)
    add_question(world, exam)
    examforms.choice_reopen(actor=world.head, choice_id=choice.pk, comment=REASON)

    exam.refresh_from_db()
    assert services.publish_problems(exam) == [services.ERR_PUBLISH_NOT_APPROVED]
    with pytest.raises(ValidationFailed) as exc:
        services.exam_publish(actor=world.teacher, exam=exam)
    assert exc.value.errors == {"__all__": [services.ERR_PUBLISH_NOT_APPROVED]}

    # Sent again and still waiting for the head: still not.
    choice = resubmit(world, examforms.ExamFormChoice.objects.get(pk=choice.pk))
    assert choice.status == ChoiceStatus.SUBMITTED
    with pytest.raises(ValidationFailed):
        services.exam_publish(actor=world.teacher, exam=exam)

    # Approved again, for the same platform: the teacher publishes it again.
    examforms.choice_approve(
        actor=world.head, choice_id=choice.pk, expected_revision=choice.revision
    )
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT  # the teacher decides when
    services.exam_publish(actor=world.teacher, exam=exam)
    assert sees(world.student, exam)


def test_a_choice_moved_to_a_platform_held_elsewhere_cannot_publish_its_exam(world):
    choice = approve(world)
    exam = published(world, choice)
    examforms.choice_reopen(actor=world.head, choice_id=choice.pk, comment="Use Moodle")
    choice = resubmit(
        world, examforms.ExamFormChoice.objects.get(pk=choice.pk),
        platform="MOODLE", form="TESTING", exam_type="",
    )  # fmt: skip
    examforms.choice_approve(
        actor=world.head, choice_id=choice.pk, expected_revision=choice.revision
    )
    exam.refresh_from_db()
    assert services.publish_problems(exam) == [services.ERR_PUBLISH_NOT_HOSTED]
    with pytest.raises(ValidationFailed) as exc:
        services.exam_publish(actor=world.teacher, exam=exam)
    assert exc.value.errors == {"__all__": [services.ERR_PUBLISH_NOT_HOSTED]}
    assert not sees(world.student, exam)
    # Nobody started it: the teacher may delete it.
    services.exam_delete(actor=world.teacher, exam=exam)
    assert not choice.exams.exists()


# --- with attempts: a confirmation, and the attempts are kept ------------------------------------


def test_reopening_over_attempts_asks_the_head_to_confirm_with_their_number(world, classmate):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)

    with pytest.raises(ConfirmationRequired) as exc:
        examforms.choice_reopen(actor=world.head, choice_id=choice.pk, comment=REASON)
    assert exc.value.attempts == 1
    assert exc.value.message == " ".join(
        [
            str(examforms.ERR_CONFIRM_ATTEMPTS % {"n": 1, "exam": exam.title}),
            examforms.ERR_CONFIRM_CONSEQUENCES,
        ]
    )
    assert "1 student has already started the exam “Algebra final”." in exc.value.message
    # Nothing was written.
    choice.refresh_from_db()
    exam.refresh_from_db()
    assert choice.status == ChoiceStatus.APPROVED and exam.status == ExamStatus.PUBLISHED

    # A second student started after the head read "1": the head is asked again.
    attempts.attempt_start(student_user=classmate, exam_id=exam.pk)
    with pytest.raises(ConfirmationRequired) as exc:
        examforms.choice_reopen(
            actor=world.head, choice_id=choice.pk, comment=REASON, confirm_attempts=1
        )
    assert exc.value.attempts == 2
    assert "2 students have already started" in exc.value.message

    examforms.choice_reopen(
        actor=world.head, choice_id=choice.pk, comment=REASON, confirm_attempts=2
    )
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    assert AuditEntry.objects.get(action="exams.withdraw").data["attempts_kept"] == 2


def test_the_confirmation_reads_in_the_heads_language(world):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    for language, words in (("ru", "Algebra final"), ("kk", "Algebra final")):
        with override(language), pytest.raises(ConfirmationRequired) as exc:
            examforms.choice_reopen(actor=world.head, choice_id=choice.pk, comment=REASON)
        assert words in exc.value.message
        assert "started the exam" not in exc.value.message


def test_started_attempts_run_on_to_their_deadline_and_keep_their_receipts(world, classmate):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempt = attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    question = attempt.layout[0]["q"]
    examforms.choice_reopen(
        actor=world.head, choice_id=choice.pk, comment=REASON, confirm_attempts=1
    )

    # The student who started goes on: the page, sends and receipts work as before.
    assert sees(world.student, exam)
    (row,) = attempt_selectors.exams_for_student(world.student).active
    assert row.can_continue
    resumed = attempts.attempt_resume(attempt_id=attempt.pk, student_user=world.student)
    assert resumed.deadline == attempt.deadline and resumed.status == AttemptStatus.IN_PROGRESS
    attempts.answer_send(
        attempt_id=attempt.pk, student_user=world.student, question_id=question,
        content={"choice": "true"}, base_version=0, key="after-reopen",
    )  # fmt: skip
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=world.student, key="finish")
    assert AnswerVersion.objects.filter(answer__attempt=attempt).count() == 1
    (row,) = attempt_selectors.exams_for_student(world.student).completed
    assert row.attempt.pk == attempt.pk

    # A classmate who had not started it sees nothing and cannot start.
    assert not sees(classmate, exam)
    with pytest.raises(attempts.NotFoundError):
        attempts.attempt_start(student_user=classmate, exam_id=exam.pk)


def test_an_exam_with_attempts_cannot_be_changed_or_deleted(world):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    examforms.choice_reopen(
        actor=world.head, choice_id=choice.pk, comment=REASON, confirm_attempts=1
    )
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    assert services.lock_reason(exam) == services.ERR_HAS_ATTEMPTS

    with pytest.raises(DomainError) as exc:
        services.exam_update(actor=world.teacher, exam=exam, title="Changed")
    assert exc.value.message == services.ERR_HAS_ATTEMPTS
    with pytest.raises(DomainError) as exc:
        add_question(world, exam)
    assert exc.value.message == services.ERR_HAS_ATTEMPTS
    with pytest.raises(DomainError) as exc:
        services.exam_delete(actor=world.teacher, exam=exam)
    assert exc.value.message == services.ERR_DELETE_HAS_ATTEMPTS
    exam.refresh_from_db()
    assert exam.title == "Algebra final" and exam.questions.count() == 1


def test_returning_a_resubmitted_choice_over_attempts_also_asks(world):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    examforms.choice_reopen(
        actor=world.head, choice_id=choice.pk, comment=REASON, confirm_attempts=1
    )
    choice = resubmit(world, examforms.ExamFormChoice.objects.get(pk=choice.pk))

    with pytest.raises(ConfirmationRequired):
        examforms.choice_return(
            actor=world.head, choice_id=choice.pk, expected_revision=choice.revision,
            comment="Not yet",
        )  # fmt: skip
    # The bulk decision returns nothing such: the row says why.
    result = examforms.choices_bulk_decide(
        actor=world.head, items=[(choice.pk, choice.revision)], decision="return", comment="No"
    )
    assert result.done == [] and "1 student has already started" in result.failed[choice.pk]

    returned = examforms.choice_return(
        actor=world.head, choice_id=choice.pk, expected_revision=choice.revision,
        comment="Not yet", confirm_attempts=1,
    )  # fmt: skip
    assert returned.status == ChoiceStatus.RETURNED
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT


def test_the_api_answers_409_until_the_head_confirms(client, world):
    choice = approve(world)
    exam = published(world, choice, open_now=True)
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    client.force_login(world.head)
    url = f"/api/v1/exam-forms/choices/{choice.pk}/reopen"

    response = client.post(
        url, data=json.dumps({"comment": REASON}), content_type="application/json"
    )
    assert response.status_code == 409
    assert "1 student has already started the exam “Algebra final”." in response.json()["detail"]
    body = json.dumps({"comment": REASON, "confirm_attempts": 1})
    response = client.post(url, data=body, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == ChoiceStatus.RETURNED
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
