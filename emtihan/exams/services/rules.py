"""What every exam write checks: the limits and messages, who manages an exam, whether it
can still be edited, whether it can be published.

The exam row lock (``locked_exam``) serialises the writes to one exam: without it,
"publish" (which checks that every pool has enough questions) could interleave with a
question deletion and publish an exam a student could not be given.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.accounts.models import User
from emtihan.core import pictures
from emtihan.core.errors import DomainError, PermissionDeniedError
from emtihan.examforms.models import ChoiceStatus, ExamForm, ExamFormChoice, Platform
from emtihan.policy import exams as policy

from .. import specs
from ..models import Exam, ExamStatus

# (platform, form) pairs whose exams are held in emtihan itself.
HOSTED_FORMS = frozenset(
    {
        (Platform.OQYLYQ, ExamForm.WRITTEN),
        (Platform.UNIVER, ExamForm.WRITTEN),
        (Platform.UNIVER, ExamForm.TESTING),
    }
)
MAX_DURATION_MINUTES = 24 * 60
MAX_ABSENCE_CAP_MINUTES = 240
MAX_EXTRA_MINUTES = 24 * 60
# Proctoring settings (docs/PROCTORING.md): a snapshot at most every 10 s and at least
# every 2 minutes; 1 to 10 identity checks before a proctor decides; recordings kept
# 1 day to 5 years after the decision.
SNAPSHOT_INTERVAL_RANGE = (10, 120)
IDENTITY_CHECK_ATTEMPTS_RANGE = (1, 10)
RETENTION_DAYS_RANGE = (1, 5 * 365)
MAX_POINTS = Decimal("1000")
# A picture inside a question's HTML (a data: URL, from the author's editor or an import)
# and all of a question's HTML: see ``specs.content_problems`` and ``core.pictures``.
MAX_BODY_PICTURE_BYTES = pictures.MAX_PICTURE_BYTES
MAX_BODY_BYTES = specs.MAX_CONTENT_BYTES

# Messages: marked with gettext_noop, translated where they are raised, asserted by tests.
ERR_CHOICE_NOT_APPROVED = gettext_noop(
    "Only an approved exam-form choice can get an exam: this one has not been approved yet."
)
ERR_CHOICE_NOT_HOSTED = gettext_noop(
    "This exam form is not held in emtihan: only OQYLYQ written, UNIVER written and UNIVER testing exams are."
)
ERR_NOT_YOUR_EXAM = gettext_noop(
    "You do not teach this discipline to this group in the exam's period."
)
ERR_EXAM_EXISTS = gettext_noop("This discipline and group already have an exam for this period.")
ERR_TITLE_REQUIRED = gettext_noop("Give the exam a title (at most 255 characters).")
ERR_OPENS_REQUIRED = gettext_noop("Say when the exam window opens.")
ERR_CLOSES_REQUIRED = gettext_noop("Say when the exam window closes.")
ERR_WINDOW_ORDER = gettext_noop("The window must close after it opens.")
ERR_DURATION = gettext_noop("The duration must be a whole number of minutes from 1 to %(max)d.")
ERR_ABSENCE_CAP = gettext_noop(
    "The absence cap must be a whole number of minutes from 1 to %(max)d."
)
ERR_TIMEOUT_POLICY = gettext_noop("Choose what counts as the answer at time-out.")
ERR_PROCTORING_LEVEL = gettext_noop("Choose whether the camera is off, recorded or required.")
ERR_SNAPSHOT_INTERVAL = gettext_noop(
    "The snapshot interval must be a whole number of seconds from %(min)d to %(max)d."
)
ERR_IDENTITY_CHECK_ATTEMPTS = gettext_noop(
    "The number of identity check attempts must be a whole number from %(min)d to %(max)d."
)
ERR_RETENTION_DAYS = gettext_noop(
    "The recordings must be kept a whole number of days from %(min)d to %(max)d."
)
ERR_LOCKED = gettext_noop(
    "The exam window has opened: the exam and its questions can no longer be changed."
)
ERR_HAS_ATTEMPTS = gettext_noop(
    "Students have already started this exam: the exam and its questions can no longer be changed."
)
ERR_DELETE_HAS_ATTEMPTS = gettext_noop(
    "Students have already started this exam: it cannot be deleted, their work is kept."
)
ERR_PUBLISH_NOT_APPROVED = gettext_noop(
    "The exam-form choice of this exam is not approved (the head of department reopened or returned it): it can be published once the choice is approved again."
)
ERR_PUBLISH_NOT_HOSTED = gettext_noop(
    "The exam-form choice of this exam now names a platform and form whose exams are not held in emtihan: it cannot be published. Delete it if no student has started it."
)
ERR_NO_QUESTIONS = gettext_noop("Add at least one question before publishing.")
ERR_POOL_TOO_SMALL = gettext_noop(
    "The pool “%(name)s” has too few questions: %(pick)d are to be picked, it has %(have)d."
)
ERR_WINDOW_PASSED = gettext_noop("The exam window has already closed.")
ERR_ALREADY_PUBLISHED = gettext_noop("The exam is already published.")
ERR_NOT_PUBLISHED = gettext_noop("The exam is not published.")
ERR_DELETE_PUBLISHED = gettext_noop("A published exam cannot be deleted: withdraw it first.")
ERR_KIND = gettext_noop("Choose the kind of question.")
ERR_BODY_REQUIRED = gettext_noop("Write the question.")
ERR_BODY_TOO_BIG = specs.ERR_BODY_TOO_BIG
ERR_BODY_PICTURE = specs.ERR_BODY_PICTURE
ERR_BODY_PICTURE_TOO_BIG = specs.ERR_BODY_PICTURE_TOO_BIG
ERR_BODY_PICTURE_PIXELS = specs.ERR_BODY_PICTURE_PIXELS
ERR_NAME_TOO_LONG = gettext_noop("Keep the name to at most 255 characters.")
ERR_POINTS = gettext_noop("Points must be a number more than 0 and at most 1000.")
ERR_ORDER = gettext_noop("The position must be a whole number of 0 or more.")
ERR_POOL_OTHER_EXAM = gettext_noop("This pool belongs to another exam.")
ERR_QUESTION_OTHER_EXAM = gettext_noop("This question belongs to another exam.")
ERR_POOL_NAME = gettext_noop("Give the pool a name (at most 255 characters).")
ERR_POOL_PICK = gettext_noop("Pick at least one question from the pool.")
ERR_POOL_NOT_EMPTY = gettext_noop(
    "The pool still has questions: delete them or move them out of the pool first."
)
ERR_STUDENT_NOT_IN_GROUP = gettext_noop("This student is not enrolled in the exam's group.")
ERR_EXTRA_MINUTES = gettext_noop("Extra time must be a whole number of minutes from 1 to %(max)d.")
ERR_REASON_TOO_LONG = gettext_noop("Keep the reason to at most 255 characters.")
ERR_EXAM_FULL = gettext_noop(
    "An exam holds at most %(max)d questions and this one has that many: delete some before adding more."
)
ERR_IMPORT_FORMAT = gettext_noop("Choose the file format: Moodle XML or GIFT.")
ERR_IMPORT_TOO_BIG = gettext_noop("The file is larger than %(mb)d MB.")
ERR_IMPORT_EMPTY = gettext_noop("Choose a file to import.")
WARN_DURATION_LONGER = gettext_noop(
    "The duration (%(duration)d min) is longer than the window (%(window)d min): no student will get the full duration."
)
IMPORT_FORMATS = ("auto", "moodle_xml", "gift")


def is_hosted(choice: ExamFormChoice) -> bool:
    return (choice.platform, choice.form) in HOSTED_FORMS


def check_manager(actor: User, exam: Exam) -> None:
    """Who manages an exam is ``policy.exams.may_manage_exam``."""
    if not policy.may_manage_exam(actor, exam):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_EXAM))


def locked_exam(actor: User, exam: Exam | int) -> Exam:
    """The exam, re-read under a row lock, after the permission check.

    Its choice row is locked first, then the exam: the head's decisions lock the choice and
    then its exams (``exams.services.choice``), and taking the two in the same order here
    means a decision and an exam write wait for each other instead of deadlocking. With
    the choice locked, "publish" reads the choice's approval as it stays until commit."""
    exam_id = exam.pk if isinstance(exam, Exam) else exam
    list(ExamFormChoice.objects.select_for_update(of=("self",)).filter(exams=exam_id))
    locked = Exam.objects.select_for_update(of=("self",)).select_related("choice").get(pk=exam_id)
    check_manager(actor, locked)
    return locked


def has_opened(exam: Exam, now: dt.datetime | None = None) -> bool:
    return exam.status == ExamStatus.PUBLISHED and (now or timezone.now()) >= exam.opens_at


def has_attempts(exam: Exam) -> bool:
    # The attempts app is above this one; its rows are reached through the relation only.
    return exam.attempts.exists()


def lock_reason(exam: Exam, now: dt.datetime | None = None) -> str:
    """Why the exam and its questions can no longer change (translated), or "".

    Once the window has opened, or once a student has started it (an exam sent back to
    draft when its choice was reopened keeps its attempts), what students answered must
    stay what was asked."""
    if has_opened(exam, now):
        return _(ERR_LOCKED)
    if has_attempts(exam):
        return _(ERR_HAS_ATTEMPTS)
    return ""


def check_editable(exam: Exam, now: dt.datetime | None) -> None:
    reason = lock_reason(exam, now)
    if reason:
        raise DomainError(reason)


def publish_problems(exam: Exam) -> list[str]:
    """Why the exam cannot be published (translated), or an empty list."""
    problems: list[str] = []
    if exam.choice.status != ChoiceStatus.APPROVED:
        problems.append(_(ERR_PUBLISH_NOT_APPROVED))
    elif not is_hosted(exam.choice):
        problems.append(_(ERR_PUBLISH_NOT_HOSTED))
    pools = list(exam.pools.all())
    counts: dict[int | None, int] = {}
    for pool_id in exam.questions.values_list("pool_id", flat=True):
        counts[pool_id] = counts.get(pool_id, 0) + 1
    if not counts:
        problems.append(_(ERR_NO_QUESTIONS))
    for pool in pools:
        have = counts.get(pool.pk, 0)
        if have < pool.pick:
            problems.append(
                _(ERR_POOL_TOO_SMALL) % {"name": pool.name, "have": have, "pick": pool.pick}
            )
    return problems


def keep_publishable(exam: Exam) -> None:
    """A published exam (before its window) must stay publishable after every edit."""
    if exam.status == ExamStatus.PUBLISHED:
        problems = publish_problems(exam)
        if problems:
            raise DomainError(problems[0])


def exam_warnings(exam: Exam) -> list[str]:
    """Things that are allowed but probably not meant (shown on the exam's page)."""
    window = int((exam.closes_at - exam.opens_at).total_seconds() // 60)
    if exam.duration_minutes > window:
        return [_(WARN_DURATION_LONGER) % {"duration": exam.duration_minutes, "window": window}]
    return []


def digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def whole_number(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number != value and not (isinstance(value, str) and value.strip().isdigit()):
        return None
    return number if low <= number <= high else None


def next_order(exam: Exam) -> int:
    """Orders are shared by fixed questions and pools (a pool is placed among them)."""
    highest = max(
        exam.questions.aggregate(m=Max("order"))["m"] or 0,
        exam.pools.aggregate(m=Max("order"))["m"] or 0,
    )
    return highest + 1
