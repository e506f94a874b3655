"""Writes of the exams app: exams, questions, pools, accommodations, imports, publishing.

Every function is called by both the teacher's pages and the JSON API, so the rules and
permissions are the same whichever door a request comes through. Each write runs in one
transaction that locks the exam row and records an audit entry.

The exam row lock serialises the writes to one exam: without it, "publish" (which checks
that every pool has enough questions) could interleave with a question deletion and
publish an exam a student could not be given.

``layout_for`` (each student's questions, called by ``attempts`` at start) and
``grade_closed`` (automatic grading) live in their own modules and are re-exported here.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.core.sanitize import has_content, sanitize_html
from emtihan.examforms.models import ChoiceStatus, ExamForm, ExamFormChoice, Platform
from emtihan.university.models import Student, TeachingAssignment

from .grading import grade_closed
from .importers import gift, moodle_xml
from .importers.base import ImportResult, ParsedQuestion
from .layout import layout_for
from .models import (
    Accommodation,
    Exam,
    ExamStatus,
    Question,
    QuestionKind,
    QuestionPool,
    TimeoutPolicy,
)
from .specs import spec_clean

__all__ = [
    "HOSTED_FORMS",
    "accommodation_delete",
    "accommodation_set",
    "can_manage",
    "detect_format",
    "exam_create",
    "exam_delete",
    "exam_publish",
    "exam_settings",
    "exam_unpublish",
    "exam_update",
    "exam_warnings",
    "grade_closed",
    "has_opened",
    "is_hosted",
    "layout_for",
    "pool_create",
    "pool_delete",
    "pool_update",
    "publish_problems",
    "question_create",
    "question_delete",
    "question_update",
    "questions_import",
]

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
MAX_POINTS = Decimal("1000")
MAX_IMPORT_BYTES = 20 * 1024 * 1024
# A picture inside a question's HTML (a data: URL, from the author's editor or an import)
# and all of a question's HTML: every student's exam page carries it, at 9:00 at once.
MAX_BODY_PICTURE_BYTES = moodle_xml.MAX_PICTURE_BYTES
MAX_BODY_BYTES = 5 * 1024 * 1024

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
ERR_LOCKED = gettext_noop(
    "The exam window has opened: the exam and its questions can no longer be changed."
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
ERR_BODY_TOO_BIG = gettext_noop("The question is larger than %(mb)d MB with its pictures.")
ERR_BODY_PICTURE = gettext_noop(
    "Picture %(n)d of the question is not a PNG, JPEG, GIF or WebP picture, or is damaged."
)
ERR_BODY_PICTURE_TOO_BIG = gettext_noop("Picture %(n)d of the question is larger than %(mb)d MB.")
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
ERR_IMPORT_FORMAT = gettext_noop("Choose the file format: Moodle XML or GIFT.")
ERR_IMPORT_TOO_BIG = gettext_noop("The file is larger than %(mb)d MB.")
ERR_IMPORT_EMPTY = gettext_noop("Choose a file to import.")
WARN_DURATION_LONGER = gettext_noop(
    "The duration (%(duration)d min) is longer than the window (%(window)d min): no student will get the full duration."
)

IMPORT_FORMATS = ("auto", "moodle_xml", "gift")


# --- permissions and state ------------------------------------------------------------------


def is_hosted(choice: ExamFormChoice) -> bool:
    return (choice.platform, choice.form) in HOSTED_FORMS


def can_manage(user: User, choice: ExamFormChoice) -> bool:
    """Staff, or a teacher who teaches the choice's discipline to its group in its period."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff:
        return True
    return TeachingAssignment.objects.filter(
        teacher__user=user,
        discipline_id=choice.discipline_id,
        group_id=choice.group_id,
        period_id=choice.period_id,
    ).exists()


def _check_manager(actor: User, exam: Exam) -> None:
    if not can_manage(actor, exam.choice):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_EXAM))


def _locked_exam(actor: User, exam: Exam | int) -> Exam:
    """The exam, re-read under a row lock, after the permission check."""
    exam_id = exam.pk if isinstance(exam, Exam) else exam
    locked = Exam.objects.select_for_update().select_related("choice").get(pk=exam_id)
    _check_manager(actor, locked)
    return locked


def has_opened(exam: Exam, now: dt.datetime | None = None) -> bool:
    return exam.status == ExamStatus.PUBLISHED and (now or timezone.now()) >= exam.opens_at


def _check_editable(exam: Exam, now: dt.datetime | None) -> None:
    if has_opened(exam, now):
        raise DomainError(_(ERR_LOCKED))


def publish_problems(exam: Exam) -> list[str]:
    """Why the exam cannot be published (translated), or an empty list."""
    problems: list[str] = []
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


def _keep_publishable(exam: Exam) -> None:
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


def _digest(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


# --- exams --------------------------------------------------------------------------------------

EXAM_FIELDS = (
    "title",
    "description",
    "opens_at",
    "closes_at",
    "duration_minutes",
    "allow_formulas",
    "allow_drawings",
    "allow_pictures",
    "allowed_other",
    "timeout_policy",
    "absence_cap_minutes",
    "shuffle_questions",
    "shuffle_options",
)


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _whole(value: Any, low: int, high: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if number != value and not (isinstance(value, str) and value.strip().isdigit()):
        return None
    return number if low <= number <= high else None


def _clean_exam(values: dict[str, Any]) -> dict[str, Any]:
    """Checks every field of an exam; returns the model's values or raises."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = " ".join(str(values.get("title") or "").split())
    if not title or len(title) > 255:
        add("title", _(ERR_TITLE_REQUIRED))
    opens_at, closes_at = _aware(values.get("opens_at")), _aware(values.get("closes_at"))
    if opens_at is None:
        add("opens_at", _(ERR_OPENS_REQUIRED))
    if closes_at is None:
        add("closes_at", _(ERR_CLOSES_REQUIRED))
    if opens_at and closes_at and closes_at <= opens_at:
        add("closes_at", _(ERR_WINDOW_ORDER))
    duration = _whole(values.get("duration_minutes"), 1, MAX_DURATION_MINUTES)
    if duration is None:
        add("duration_minutes", _(ERR_DURATION) % {"max": MAX_DURATION_MINUTES})
    cap = _whole(values.get("absence_cap_minutes"), 1, MAX_ABSENCE_CAP_MINUTES)
    if cap is None:
        add("absence_cap_minutes", _(ERR_ABSENCE_CAP) % {"max": MAX_ABSENCE_CAP_MINUTES})
    policy = values.get("timeout_policy")
    if policy not in TimeoutPolicy.values:
        add("timeout_policy", _(ERR_TIMEOUT_POLICY))
    if errors:
        raise ValidationFailed(errors)
    return {
        "title": title,
        "description": str(values.get("description") or "").strip(),
        "opens_at": opens_at,
        "closes_at": closes_at,
        "duration_minutes": duration,
        "allow_formulas": bool(values.get("allow_formulas")),
        "allow_drawings": bool(values.get("allow_drawings")),
        "allow_pictures": bool(values.get("allow_pictures")),
        "allowed_other": str(values.get("allowed_other") or "").strip(),
        "timeout_policy": policy,
        "absence_cap_seconds": (cap or 0) * 60,
        "shuffle_questions": bool(values.get("shuffle_questions")),
        "shuffle_options": bool(values.get("shuffle_options")),
    }


def exam_settings(exam: Exam) -> dict[str, Any]:
    """The exam's editable settings, in the shape ``exam_update`` takes them."""
    values = {name: getattr(exam, name) for name in EXAM_FIELDS if name != "absence_cap_minutes"}
    values["absence_cap_minutes"] = exam.absence_cap_seconds // 60
    return values


@transaction.atomic
def exam_create(
    *,
    actor: User,
    choice: ExamFormChoice,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    duration_minutes: int,
    description: str = "",
    allow_formulas: bool = True,
    allow_drawings: bool = False,
    allow_pictures: bool = False,
    allowed_other: str = "",
    timeout_policy: str = TimeoutPolicy.LAST_DRAFT,
    absence_cap_minutes: int = 20,
    shuffle_questions: bool = True,
    shuffle_options: bool = True,
) -> Exam:
    """Create a draft exam for an approved, hosted choice (one exam per choice).

    A duration longer than the window is allowed (``exam_warnings`` says so)."""
    # Lock the choice: two teachers of the group pressing "Create exam" at once must not
    # create two exams for it.
    choice = ExamFormChoice.objects.select_for_update().get(pk=choice.pk)
    if not can_manage(actor, choice):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_EXAM))
    if choice.status != ChoiceStatus.APPROVED:
        raise DomainError(_(ERR_CHOICE_NOT_APPROVED))
    if not is_hosted(choice):
        raise DomainError(_(ERR_CHOICE_NOT_HOSTED))
    if Exam.objects.filter(choice=choice).exists():
        raise DomainError(_(ERR_EXAM_EXISTS))
    fields = _clean_exam(
        {
            "title": title,
            "description": description,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "duration_minutes": duration_minutes,
            "allow_formulas": allow_formulas,
            "allow_drawings": allow_drawings,
            "allow_pictures": allow_pictures,
            "allowed_other": allowed_other,
            "timeout_policy": timeout_policy,
            "absence_cap_minutes": absence_cap_minutes,
            "shuffle_questions": shuffle_questions,
            "shuffle_options": shuffle_options,
        }
    )
    exam = Exam.objects.create(choice=choice, created_by=actor, **fields)
    audit_record(actor=actor, action="exams.create", obj=exam, data={"choice": choice.pk, **fields})
    return exam


@transaction.atomic
def exam_update(*, actor: User, exam: Exam, now: dt.datetime | None = None, **changes: Any) -> Exam:
    """Change some of the exam's settings (names as ``exam_create`` takes them)."""
    unknown = set(changes) - set(EXAM_FIELDS)
    if unknown:
        raise TypeError(f"exam_update() got unknown fields: {sorted(unknown)}")
    exam = _locked_exam(actor, exam)
    _check_editable(exam, now)
    fields = _clean_exam({**exam_settings(exam), **changes})
    changed = {name: value for name, value in fields.items() if getattr(exam, name) != value}
    for name, value in changed.items():
        setattr(exam, name, value)
    exam.save()
    audit_record(actor=actor, action="exams.update", obj=exam, data=changed)
    return exam


@transaction.atomic
def exam_publish(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> Exam:
    exam = _locked_exam(actor, exam)
    now = now or timezone.now()
    if exam.status == ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_ALREADY_PUBLISHED))
    if exam.closes_at <= now:
        raise DomainError(_(ERR_WINDOW_PASSED))
    problems = publish_problems(exam)
    if problems:
        raise ValidationFailed({"__all__": problems})
    exam.status = ExamStatus.PUBLISHED
    exam.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="exams.publish", obj=exam, data={"opens_at": exam.opens_at})
    return exam


@transaction.atomic
def exam_unpublish(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> Exam:
    """Withdraw a published exam before its window opens (to rework it)."""
    exam = _locked_exam(actor, exam)
    if exam.status != ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_NOT_PUBLISHED))
    _check_editable(exam, now)
    exam.status = ExamStatus.DRAFT
    exam.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="exams.unpublish", obj=exam)
    return exam


@transaction.atomic
def exam_delete(*, actor: User, exam: Exam) -> None:
    """Delete a draft exam with its questions (a published one has to be withdrawn first)."""
    exam = _locked_exam(actor, exam)
    if exam.status == ExamStatus.PUBLISHED:
        raise DomainError(_(ERR_DELETE_PUBLISHED))
    audit_record(
        actor=actor,
        action="exams.delete",
        obj=exam,
        data={"title": exam.title, "choice": exam.choice_id, "questions": exam.questions.count()},
    )
    exam.delete()


# --- questions ----------------------------------------------------------------------------------


def _next_order(exam: Exam) -> int:
    """Orders are shared by fixed questions and pools (a pool is placed among them)."""
    highest = max(
        exam.questions.aggregate(m=Max("order"))["m"] or 0,
        exam.pools.aggregate(m=Max("order"))["m"] or 0,
    )
    return highest + 1


DATA_PICTURE_SRC = re.compile(r'src="data:(image/[a-z]+);base64,([A-Za-z0-9+/]*={0,2})"')


def _body_picture_problems(html: str) -> list[str]:
    """Pictures inlined in a question (data: URLs) must be what they say, by their bytes,
    and small enough; the sanitiser has already kept only data:image/png|jpeg|gif|webp."""
    if len(html) > MAX_BODY_BYTES:
        return [_(ERR_BODY_TOO_BIG) % {"mb": MAX_BODY_BYTES >> 20}]
    problems = []
    for n, match in enumerate(DATA_PICTURE_SRC.finditer(html), start=1):
        try:
            content = base64.b64decode(match.group(2), validate=True)
        except (binascii.Error, ValueError):
            content = b""
        if moodle_xml.picture_type(content) != match.group(1):
            problems.append(_(ERR_BODY_PICTURE) % {"n": n})
        elif len(content) > MAX_BODY_PICTURE_BYTES:
            problems.append(
                _(ERR_BODY_PICTURE_TOO_BIG) % {"n": n, "mb": MAX_BODY_PICTURE_BYTES >> 20}
            )
    return problems


def _clean_question(
    exam: Exam,
    *,
    kind: Any,
    body: Any,
    spec: Any,
    points: Any,
    name: Any,
    pool: QuestionPool | None,
    order: Any,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    if kind not in QuestionKind.values:
        errors["kind"] = [_(ERR_KIND)]
    clean_body = sanitize_html(str(body or ""))
    if not has_content(clean_body):
        errors["body"] = [_(ERR_BODY_REQUIRED)]
    elif body_problems := _body_picture_problems(clean_body):
        errors["body"] = body_problems
    clean_name = " ".join(str(name or "").split())
    if len(clean_name) > 255:
        errors["name"] = [_(ERR_NAME_TOO_LONG)]
    try:
        clean_points = Decimal(str(points)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        clean_points = Decimal(0)
    if not Decimal(0) < clean_points <= MAX_POINTS:
        errors["points"] = [_(ERR_POINTS)]
    if pool is not None and pool.exam_id != exam.pk:
        errors["pool"] = [_(ERR_POOL_OTHER_EXAM)]
    clean_order = None
    if order is not None and order != "":
        clean_order = _whole(order, 0, 1_000_000)
        if clean_order is None:
            errors["order"] = [_(ERR_ORDER)]
    clean_spec: dict[str, Any] = {}
    if "kind" not in errors:
        clean_spec, problems = spec_clean(kind, spec)
        if problems:
            errors["spec"] = [p.text() for p in problems]
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": kind,
        "body": clean_body,
        "spec": clean_spec,
        "points": clean_points,
        "name": clean_name,
        "pool": pool,
        "order": clean_order,
    }


def _question_audit(question: Question) -> dict[str, Any]:
    return {
        "exam": question.exam_id,
        "kind": question.kind,
        "name": question.name,
        "pool": question.pool_id,
        "points": question.points,
        "order": question.order,
        "content": _digest({"body": question.body, "spec": question.spec}),
    }


@transaction.atomic
def question_create(
    *,
    actor: User,
    exam: Exam,
    kind: str,
    body: str,
    spec: dict[str, Any] | None = None,
    points: Decimal | int | str = 1,
    name: str = "",
    pool: QuestionPool | None = None,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> Question:
    """Add a question (the body is sanitised; the spec checked for the kind, see specs)."""
    exam = _locked_exam(actor, exam)
    _check_editable(exam, now)
    values = _clean_question(
        exam, kind=kind, body=body, spec=spec, points=points, name=name, pool=pool, order=order
    )
    if values["order"] is None:
        values["order"] = _next_order(exam)
    question = Question.objects.create(exam=exam, **values)
    _keep_publishable(exam)
    audit_record(
        actor=actor, action="exams.question_create", obj=question, data=_question_audit(question)
    )
    return question


@transaction.atomic
def question_update(
    *,
    actor: User,
    question: Question,
    kind: str,
    body: str,
    spec: dict[str, Any] | None = None,
    points: Decimal | int | str = 1,
    name: str = "",
    pool: QuestionPool | None = None,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> Question:
    exam = _locked_exam(actor, question.exam_id)
    _check_editable(exam, now)
    question = Question.objects.get(pk=question.pk)
    values = _clean_question(
        exam, kind=kind, body=body, spec=spec, points=points, name=name, pool=pool, order=order
    )
    if values["order"] is None:
        values["order"] = question.order
    for field_name, value in values.items():
        setattr(question, field_name, value)
    question.save()
    _keep_publishable(exam)
    audit_record(
        actor=actor, action="exams.question_update", obj=question, data=_question_audit(question)
    )
    return question


@transaction.atomic
def question_delete(*, actor: User, question: Question, now: dt.datetime | None = None) -> None:
    exam = _locked_exam(actor, question.exam_id)
    _check_editable(exam, now)
    data = _question_audit(question)
    audit_record(actor=actor, action="exams.question_delete", obj=question, data=data)
    Question.objects.filter(pk=question.pk).delete()
    _keep_publishable(exam)


# --- pools ---------------------------------------------------------------------------------------


def _clean_pool(name: Any, pick: Any) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    clean_name = " ".join(str(name or "").split())
    if not clean_name or len(clean_name) > 255:
        errors["name"] = [_(ERR_POOL_NAME)]
    clean_pick = _whole(pick, 1, 1000)
    if clean_pick is None:
        errors["pick"] = [_(ERR_POOL_PICK)]
    if errors:
        raise ValidationFailed(errors)
    return clean_name, clean_pick or 1


@transaction.atomic
def pool_create(
    *,
    actor: User,
    exam: Exam,
    name: str,
    pick: int,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionPool:
    """A pool: each student gets ``pick`` of its questions, placed at ``order`` among the
    exam's fixed questions (the end by default)."""
    exam = _locked_exam(actor, exam)
    _check_editable(exam, now)
    clean_name, clean_pick = _clean_pool(name, pick)
    clean_order = _whole(order, 0, 1_000_000) if order is not None else _next_order(exam)
    if clean_order is None:
        raise ValidationFailed({"order": [_(ERR_ORDER)]})
    pool = QuestionPool.objects.create(
        exam=exam, name=clean_name, pick=clean_pick, order=clean_order
    )
    _keep_publishable(exam)
    audit_record(
        actor=actor,
        action="exams.pool_create",
        obj=pool,
        data={"exam": exam.pk, "name": pool.name, "pick": pool.pick, "order": pool.order},
    )
    return pool


@transaction.atomic
def pool_update(
    *,
    actor: User,
    pool: QuestionPool,
    name: str,
    pick: int,
    order: int | None = None,
    now: dt.datetime | None = None,
) -> QuestionPool:
    exam = _locked_exam(actor, pool.exam_id)
    _check_editable(exam, now)
    pool = QuestionPool.objects.get(pk=pool.pk)
    pool.name, pool.pick = _clean_pool(name, pick)
    if order is not None:
        clean_order = _whole(order, 0, 1_000_000)
        if clean_order is None:
            raise ValidationFailed({"order": [_(ERR_ORDER)]})
        pool.order = clean_order
    pool.save()
    _keep_publishable(exam)
    audit_record(
        actor=actor,
        action="exams.pool_update",
        obj=pool,
        data={"exam": exam.pk, "name": pool.name, "pick": pool.pick, "order": pool.order},
    )
    return pool


@transaction.atomic
def pool_delete(*, actor: User, pool: QuestionPool, now: dt.datetime | None = None) -> None:
    """Delete an empty pool (its questions are never deleted along with it)."""
    exam = _locked_exam(actor, pool.exam_id)
    _check_editable(exam, now)
    if pool.questions.exists():
        raise DomainError(_(ERR_POOL_NOT_EMPTY))
    audit_record(
        actor=actor, action="exams.pool_delete", obj=pool, data={"exam": exam.pk, "name": pool.name}
    )
    pool.delete()
    _keep_publishable(exam)


# --- accommodations ------------------------------------------------------------------------------


@transaction.atomic
def accommodation_set(
    *, actor: User, exam: Exam, student: Student, extra_minutes: int, reason: str = ""
) -> Accommodation:
    """Give a student of the exam's group extra time (replacing what they had).

    The deadline of an attempt is fixed when it starts, so a change reaches only
    attempts started afterwards."""
    exam = _locked_exam(actor, exam)
    errors: dict[str, list[str]] = {}
    if student.group_id != exam.choice.group_id or not student.is_active:
        errors["student"] = [_(ERR_STUDENT_NOT_IN_GROUP)]
    minutes = _whole(extra_minutes, 1, MAX_EXTRA_MINUTES)
    if minutes is None:
        errors["extra_minutes"] = [_(ERR_EXTRA_MINUTES) % {"max": MAX_EXTRA_MINUTES}]
    reason = " ".join(str(reason or "").split())
    if len(reason) > 255:
        errors["reason"] = [_(ERR_REASON_TOO_LONG)]
    if errors:
        raise ValidationFailed(errors)
    accommodation, _created = Accommodation.objects.update_or_create(
        exam=exam, student=student, defaults={"extra_minutes": minutes, "reason": reason}
    )
    audit_record(
        actor=actor,
        action="exams.accommodation_set",
        obj=accommodation,
        data={"exam": exam.pk, "student": student.pk, "extra_minutes": minutes, "reason": reason},
    )
    return accommodation


@transaction.atomic
def accommodation_delete(*, actor: User, accommodation: Accommodation) -> None:
    exam = _locked_exam(actor, accommodation.exam_id)
    audit_record(
        actor=actor,
        action="exams.accommodation_delete",
        obj=accommodation,
        data={"exam": exam.pk, "student": accommodation.student_id},
    )
    accommodation.delete()


# --- import --------------------------------------------------------------------------------------


def detect_format(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "moodle_xml" if head.startswith((b"<?xml", b"<quiz")) else "gift"


def questions_import(
    *,
    actor: User,
    exam: Exam,
    file: UploadedFile,
    fmt: str = "auto",
    encoding: str = "",
    pools_from_categories: bool = False,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Import a Moodle XML or GIFT file into the exam: all of its importable questions, or
    nothing if any question has an error (the result says which and why).

    ``pools_from_categories``: each category's questions go into a new pool named after
    the category (picking all of them: lower ``pick`` afterwards); otherwise they are
    fixed questions. They are added after the exam's existing questions, in file order.
    """
    _check_manager(actor, exam)
    _check_editable(exam, now)
    if fmt not in IMPORT_FORMATS:
        raise ValidationFailed({"fmt": [_(ERR_IMPORT_FORMAT)]})
    if file is None or not file.size:
        raise ValidationFailed({"file": [_(ERR_IMPORT_EMPTY)]})
    if file.size > MAX_IMPORT_BYTES:
        raise ValidationFailed({"file": [_(ERR_IMPORT_TOO_BIG) % {"mb": MAX_IMPORT_BYTES >> 20}]})
    data = file.read()
    if fmt == "auto":
        fmt = detect_format(data)
    parser = moodle_xml.parse if fmt == "moodle_xml" else gift.parse
    result = parser(data, encoding=encoding)
    if result.ok and result.questions:
        _write_imported(
            actor=actor,
            exam=exam,
            result=result,
            source=(getattr(file, "name", "") or "")[:200],
            pools_from_categories=pools_from_categories,
            now=now,
        )
    return result


@transaction.atomic
def _write_imported(
    *,
    actor: User,
    exam: Exam,
    result: ImportResult,
    source: str,
    pools_from_categories: bool,
    now: dt.datetime | None,
) -> None:
    exam = _locked_exam(actor, exam)
    _check_editable(exam, now)
    order = _next_order(exam)
    pools: dict[str, QuestionPool] = {}
    rows: list[Question] = []
    for parsed in result.questions:
        pool = None
        if pools_from_categories and parsed.category:
            pool = pools.get(parsed.category)
            if pool is None:
                pool = QuestionPool.objects.create(
                    exam=exam, name=parsed.category[:255], pick=0, order=order
                )
                pools[parsed.category] = pool
                order += 1
        rows.append(_imported_question(exam, parsed, pool=pool, order=order, source=source))
        order += 1
    Question.objects.bulk_create(rows)
    for pool in pools.values():
        pool.pick = sum(1 for row in rows if row.pool is pool)
        pool.save(update_fields=["pick"])
    _keep_publishable(exam)
    result.imported = len(rows)
    audit_record(
        actor=actor,
        action="exams.questions_import",
        obj=exam,
        data={
            "format": result.fmt,
            "encoding": result.encoding,
            "source": source,
            "imported": len(rows),
            "skipped": len(result.skipped),
            "pools": sorted(pools),
            "content": _digest([{"body": r.body, "spec": r.spec} for r in rows]),
        },
    )


def _imported_question(
    exam: Exam, parsed: ParsedQuestion, *, pool: QuestionPool | None, order: int, source: str
) -> Question:
    return Question(
        exam=exam,
        pool=pool,
        kind=parsed.kind,
        name=parsed.name[:255],
        body=parsed.body,
        spec=parsed.spec,
        points=parsed.points,
        order=order,
        source=f"{source} #{parsed.index}"[:255],
    )
