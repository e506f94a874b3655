"""Exam-form choices: saving, sending for review, approving, returning, reopening.

Every function here is called by both the HTML views and the JSON API, so the rules and
permissions are the same whichever door a request comes through. Each write runs in one
transaction that locks the choice row, records a ``ChoiceTransition`` and an audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext_lazy

from emtihan.accounts.models import User
from emtihan.audit.services import audit_record
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.policy import examforms as policy
from emtihan.umkd.models import MaterialVersion, Section
from emtihan.university.models import AcademicPeriod, Discipline, StudyGroup

from .models import AdditionalInfo, ChoiceStatus, ExamFormChoice
from .rules import RuleBook

# Error messages are module constants so tests can assert on them; gettext_noop marks
# them for extraction and they are translated where they are raised.

ERR_NOT_YOUR_DISCIPLINE = gettext_noop(
    "You do not teach this discipline to this group in the current period."
)
ERR_NO_CURRENT_PERIOD = gettext_noop(
    "No academic period is marked as current. Ask the registrar's office."
)
ERR_NOT_EDITABLE = gettext_noop(
    "This choice has been approved and can no longer be changed. Ask the head of department to reopen it."
)
ERR_STALE = gettext_noop(
    "Someone changed this choice after you opened it. Close the dialog, reopen it and check again."
)
ERR_PLATFORM_REQUIRED = gettext_noop("Choose the exam platform.")
ERR_PLATFORM_UNKNOWN = gettext_noop(
    "This platform is not in the rule table for this academic year."
)
ERR_MEDICAL_ONLY = gettext_noop(
    "StartExam is only for disciplines of a medicine-and-healthcare faculty."
)
ERR_FORM_REQUIRED = gettext_noop("Choose the exam form.")
ERR_FORM_NOT_ALLOWED = gettext_noop("This form is not available on the chosen platform.")
ERR_TYPE_REQUIRED = gettext_noop("Choose the exam type.")
ERR_TYPE_NOT_ALLOWED = gettext_noop("This type is not available for the chosen platform and form.")
ERR_TYPE_MUST_BE_EMPTY = gettext_noop("This platform and form have no exam type: leave it empty.")
ERR_INFO_VIDEO = gettext_noop(
    "Enter the video-conference platform: MS Teams, BigBlueButton, Zoom or another."
)
ERR_INFO_COURSES = gettext_noop("Enter the online-course platforms: Coursera, Stepik, edX, ...")
ERR_INFO_MUST_BE_EMPTY = gettext_noop(
    "Leave the additional information empty for this platform and form."
)
ERR_PROGRAMME_REQUIRED = gettext_noop(
    "Choose the final-exam programme. Upload it first to UMKD, section “Final-exam programme for the discipline”."
)
ERR_PROGRAMME_WRONG = gettext_noop(
    "This file is not a final-exam programme uploaded to this discipline's UMKD."
)
ERR_PROGRAMME_OLD = gettext_noop(
    "A newer version of this programme has been uploaded: choose the newest one."
)
ERR_NOT_HEAD = gettext_noop("Only the head of this discipline's department can review this choice.")
ERR_NOT_SUBMITTED = gettext_noop("Only a choice sent for review can be approved or returned.")
ERR_NOT_APPROVED = gettext_noop("Only an approved choice can be reopened.")
ERR_COMMENT_REQUIRED = gettext_noop("Write a comment: the teacher needs to know what to change.")
ERR_BULK_DECISION = gettext_noop("Choose a decision: approve or return.")
ERR_REOPEN_COMMENT_REQUIRED = gettext_noop("Write why the approved choice is reopened.")
ERR_NO_LONGER_VALID = gettext_noop(
    "This choice no longer satisfies the rule table: return it to the teacher instead."
)
ERR_NOT_FOUND = gettext_noop("This exam-form choice does not exist.")
# One sentence per exam with attempts, then the confirmation; the dialog names the button.
ERR_CONFIRM_ATTEMPTS = ngettext_lazy(
    "%(n)d student has already started the exam “%(exam)s”.",
    "%(n)d students have already started the exam “%(exam)s”.",
    "n",
)
ERR_CONFIRM_CONSEQUENCES = gettext_noop(
    "While this choice is not approved, the exam stays a draft that students do not see and "
    "nobody can start. The attempts already started are kept: a sitting in progress runs on "
    "to its own deadline, and every answer and receipt stays. Confirm to go on."
)

INFO_MAX_LENGTH = 500


@dataclass
class ChoiceInput:
    """What a teacher submits in the dialog (or an integration through the API)."""

    platform: str = ""
    form: str = ""
    exam_type: str = ""
    additional_info: str = ""
    programme_id: int | None = None

    def cleaned(self) -> ChoiceInput:
        return ChoiceInput(
            platform=(self.platform or "").strip(),
            form=(self.form or "").strip(),
            exam_type=(self.exam_type or "").strip(),
            additional_info=" ".join((self.additional_info or "").split()),
            programme_id=self.programme_id,
        )

    @classmethod
    def of(cls, choice: ExamFormChoice) -> ChoiceInput:
        return cls(
            platform=choice.platform,
            form=choice.form,
            exam_type=choice.exam_type,
            additional_info=choice.additional_info,
            programme_id=choice.programme_id,
        )


@dataclass(frozen=True)
class Dependent:
    """Something built on a choice that the head's decision affects (an exam), as the head
    is told about it: its name and how many students have started it."""

    name: str
    attempts: int


class ChoiceFollower(Protocol):
    """An app above examforms that builds on choices (``exams``) and follows the head's
    decisions. It registers itself once at start-up (``follow_choices``, from its
    ``AppConfig.ready``), so examforms never imports it; its functions are its own services.
    Both are called inside the decision's transaction, with the choice row locked."""

    def dependents(self, choice: ExamFormChoice) -> list[Dependent]:
        """What is built on the choice, locked until the decision commits."""
        ...

    def choice_left_approval(self, *, choice: ExamFormChoice, actor: User) -> None:
        """The approved choice was reopened: hold back what needed the approval."""
        ...


_followers: list[ChoiceFollower] = []


def follow_choices(follower: ChoiceFollower) -> None:
    if follower not in _followers:
        _followers.append(follower)


def choice_dependents(choice: ExamFormChoice) -> list[Dependent]:
    return [dependent for follower in _followers for dependent in follower.dependents(choice)]


class ConfirmationRequired(DomainError):
    """The decision touches exams students have started: the head must confirm, naming
    the number of attempts they were shown (``confirm_attempts``)."""

    def __init__(self, dependents: list[Dependent]) -> None:
        self.dependents = [d for d in dependents if d.attempts]
        self.attempts = sum(d.attempts for d in self.dependents)
        sentences = [
            str(ERR_CONFIRM_ATTEMPTS % {"n": d.attempts, "exam": d.name}) for d in self.dependents
        ]
        super().__init__(" ".join([*sentences, _(ERR_CONFIRM_CONSEQUENCES)]))


def _check_confirmed(choice: ExamFormChoice, confirm_attempts: int | None) -> None:
    """Refuse a decision over started exams unless the head confirmed the same count
    (a student starting after the head read the warning makes it ask again)."""
    dependents = choice_dependents(choice)
    started = sum(d.attempts for d in dependents)
    if started and confirm_attempts != started:
        raise ConfirmationRequired(dependents)


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


# --- reading helpers -------------------------------------------------------------------


def current_period() -> AcademicPeriod:
    period = AcademicPeriod.current()
    if period is None:
        raise DomainError(_(ERR_NO_CURRENT_PERIOD))
    return period


def rulebook_for(*, discipline: Discipline, period: AcademicPeriod) -> RuleBook:
    return RuleBook.load(
        academic_year=period.academic_year, medical=discipline.department.faculty.is_medical
    )


# --- validation --------------------------------------------------------------------------


def choice_validate(
    *, data: ChoiceInput, discipline: Discipline, rulebook: RuleBook
) -> dict[str, list[str]]:
    """Every rule of Table 1 and of the programme column; returns errors per field."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(_(message))

    if not data.platform:
        add("platform", ERR_PLATFORM_REQUIRED)
    elif data.platform not in rulebook.platforms():
        if rulebook.is_medical_only(data.platform) and not rulebook.medical:
            add("platform", ERR_MEDICAL_ONLY)
        else:
            add("platform", ERR_PLATFORM_UNKNOWN)

    if "platform" not in errors:
        forms = rulebook.forms(data.platform)
        if not data.form:
            add("form", ERR_FORM_REQUIRED)
        elif data.form not in forms:
            add("form", ERR_FORM_NOT_ALLOWED)

    if "platform" not in errors and "form" not in errors:
        types = rulebook.types(data.platform, data.form)
        if types and not data.exam_type:
            add("exam_type", ERR_TYPE_REQUIRED)
        elif types and data.exam_type not in types:
            add("exam_type", ERR_TYPE_NOT_ALLOWED)
        elif not types and data.exam_type:
            add("exam_type", ERR_TYPE_MUST_BE_EMPTY)

        info_kind = rulebook.additional_info(data.platform, data.form)
        if info_kind == AdditionalInfo.VIDEO_CONFERENCE and not data.additional_info:
            add("additional_info", ERR_INFO_VIDEO)
        elif info_kind == AdditionalInfo.COURSE_PLATFORMS and not data.additional_info:
            add("additional_info", ERR_INFO_COURSES)
        elif info_kind == AdditionalInfo.NONE and data.additional_info:
            add("additional_info", ERR_INFO_MUST_BE_EMPTY)
    if len(data.additional_info) > INFO_MAX_LENGTH:
        errors.setdefault("additional_info", []).append(
            _("Keep the additional information to at most %(n)d characters.")
            % {"n": INFO_MAX_LENGTH}
        )

    programme_error = _programme_error(data.programme_id, discipline)
    if programme_error:
        add("programme", programme_error)
    return errors


def _programme_error(programme_id: int | None, discipline: Discipline) -> str | None:
    if not programme_id:
        return ERR_PROGRAMME_REQUIRED
    version = (
        MaterialVersion.objects.select_related("material")
        .filter(
            pk=programme_id,
            material__discipline=discipline,
            material__section=Section.FINAL_EXAM_PROGRAMME,
        )
        .first()
    )
    if version is None:
        return ERR_PROGRAMME_WRONG
    if version.material.versions.filter(number__gt=version.number).exists():
        return ERR_PROGRAMME_OLD
    return None


# --- teacher: save and send for review ----------------------------------------------------


@transaction.atomic
def choice_save(
    *,
    actor: User,
    discipline: Discipline,
    group: StudyGroup,
    data: ChoiceInput,
    submit: bool = True,
    expected_revision: int | None = None,
) -> ExamFormChoice:
    """Save a teacher's choice and, with ``submit`` (the "Send for review" button), send it.

    ``expected_revision`` is the revision the teacher's dialog was opened on (None for a
    choice not yet saved); when someone else (a co-teacher) saved in between, the save is
    refused instead of overwriting their choice silently.
    """
    period = current_period()
    if not policy.may_edit_choice(actor, discipline=discipline, group=group, period=period):
        raise PermissionDeniedError(_(ERR_NOT_YOUR_DISCIPLINE))
    data = data.cleaned()

    # Lock the row: a head approving while the teacher saves must see one or the other,
    # never an approval of content that changed under it.
    choice = (
        ExamFormChoice.objects.select_for_update()
        .filter(discipline=discipline, group=group, period=period)
        .first()
    )
    if choice is not None:
        if not choice.is_editable:
            raise DomainError(_(ERR_NOT_EDITABLE))
        if expected_revision is not None and expected_revision != choice.revision:
            raise DomainError(_(ERR_STALE))
    elif expected_revision:
        raise DomainError(_(ERR_STALE))

    errors = choice_validate(
        data=data,
        discipline=discipline,
        rulebook=rulebook_for(discipline=discipline, period=period),
    )
    if errors:
        raise ValidationFailed(errors)

    values: dict[str, Any] = {
        "platform": data.platform,
        "form": data.form,
        "exam_type": data.exam_type,
        "additional_info": data.additional_info,
        "programme_id": data.programme_id,
    }
    if choice is None:
        try:
            with transaction.atomic():
                choice = ExamFormChoice.objects.create(
                    discipline=discipline, group=group, period=period, updated_by=actor, **values
                )
        except IntegrityError:
            # A co-teacher created the same discipline x group choice a moment earlier.
            raise DomainError(_(ERR_STALE)) from None
        from_status = ChoiceStatus.NOT_CHOSEN
    else:
        from_status = ChoiceStatus(choice.status)
        for name, value in values.items():
            setattr(choice, name, value)
        choice.revision += 1
        choice.updated_by = actor

    to_status = ChoiceStatus.SUBMITTED if submit else ChoiceStatus(choice.status)
    choice.status = to_status
    if submit:
        choice.submitted_at = timezone.now()
    choice.save()
    choice.record_transition(
        from_status=from_status,
        to_status=to_status,
        actor=actor,
        comment="",
        summary=choice.summary(),
    )
    audit_record(
        actor=actor,
        action="examforms.submit" if submit else "examforms.save",
        obj=choice,
        data={"from": from_status, "to": to_status, "revision": choice.revision, **values},
    )
    return choice


# --- head of department: approve, return, reopen -----------------------------------------


def _locked_choice_for_head(actor: User, choice_id: int) -> ExamFormChoice:
    choice = (
        ExamFormChoice.objects.select_for_update()
        .select_related("discipline__department__faculty", "period")
        .filter(pk=choice_id)
        .first()
    )
    if choice is None:
        raise DomainError(_(ERR_NOT_FOUND))
    if not policy.may_review_choice(actor, choice):
        raise PermissionDeniedError(_(ERR_NOT_HEAD))
    return choice


@transaction.atomic
def choice_approve(
    *, actor: User, choice_id: int, expected_revision: int, comment: str = ""
) -> ExamFormChoice:
    choice = _locked_choice_for_head(actor, choice_id)
    if choice.status != ChoiceStatus.SUBMITTED:
        raise DomainError(_(ERR_NOT_SUBMITTED))
    if choice.revision != expected_revision:
        raise DomainError(_(ERR_STALE))
    rulebook = rulebook_for(discipline=choice.discipline, period=choice.period)
    if choice_validate(
        data=ChoiceInput.of(choice), discipline=choice.discipline, rulebook=rulebook
    ):
        raise DomainError(_(ERR_NO_LONGER_VALID))
    return _decide(
        choice,
        actor=actor,
        to_status=ChoiceStatus.APPROVED,
        comment=comment,
        action="examforms.approve",
    )


@transaction.atomic
def choice_return(
    *,
    actor: User,
    choice_id: int,
    expected_revision: int,
    comment: str,
    confirm_attempts: int | None = None,
) -> ExamFormChoice:
    """Send a submitted choice back to the teacher. When its exam (from an earlier
    approval) has attempts, the head confirms with their number (``ConfirmationRequired``)."""
    choice = _locked_choice_for_head(actor, choice_id)
    if choice.status != ChoiceStatus.SUBMITTED:
        raise DomainError(_(ERR_NOT_SUBMITTED))
    if choice.revision != expected_revision:
        raise DomainError(_(ERR_STALE))
    if not (comment or "").strip():
        raise ValidationFailed({"comment": [_(ERR_COMMENT_REQUIRED)]})
    _check_confirmed(choice, confirm_attempts)
    return _decide(
        choice,
        actor=actor,
        to_status=ChoiceStatus.RETURNED,
        comment=comment,
        action="examforms.return",
    )


@transaction.atomic
def choice_reopen(
    *, actor: User, choice_id: int, comment: str, confirm_attempts: int | None = None
) -> ExamFormChoice:
    """Take an approval back (the only way an approved choice becomes editable again).

    What was built on the approval follows in the same transaction: a published exam of
    the choice goes back to draft (docs/EXAMS.md, "An exam and its exam-form choice").
    When students have started that exam, the head confirms with their number
    (``ConfirmationRequired`` otherwise)."""
    choice = _locked_choice_for_head(actor, choice_id)
    if choice.status != ChoiceStatus.APPROVED:
        raise DomainError(_(ERR_NOT_APPROVED))
    if not (comment or "").strip():
        raise ValidationFailed({"comment": [_(ERR_REOPEN_COMMENT_REQUIRED)]})
    _check_confirmed(choice, confirm_attempts)
    choice = _decide(
        choice,
        actor=actor,
        to_status=ChoiceStatus.RETURNED,
        comment=comment,
        action="examforms.reopen",
    )
    for follower in _followers:
        follower.choice_left_approval(choice=choice, actor=actor)
    return choice


def _decide(
    choice: ExamFormChoice, *, actor: User, to_status: ChoiceStatus, comment: str, action: str
) -> ExamFormChoice:
    from_status = ChoiceStatus(choice.status)
    comment = (comment or "").strip()
    choice.status = to_status
    choice.head_comment = comment
    choice.decided_by = actor
    choice.decided_at = timezone.now()
    choice.save()
    choice.record_transition(
        from_status=from_status, to_status=to_status, actor=actor, comment=comment
    )
    audit_record(
        actor=actor,
        action=action,
        obj=choice,
        data={
            "from": from_status,
            "to": to_status,
            "revision": choice.revision,
            "comment": comment,
        },
    )
    return choice


def choices_bulk_decide(
    *, actor: User, items: list[tuple[int, int]], decision: str, comment: str = ""
) -> BulkResult:
    """Approve or return several choices; each is decided on its own, and the result says
    which went through and why the others did not. A choice whose exam students have
    started is not returned from here: its row says so, and the head returns it from its
    own dialog, where the warning asks for a confirmation."""
    result = BulkResult()
    # Refused as a whole before any item: not one "failed" line per item.
    if decision not in ("approve", "return"):
        raise ValidationFailed({"decision": [_(ERR_BULK_DECISION)]})
    if decision == "return" and not (comment or "").strip():
        raise ValidationFailed({"comment": [_(ERR_COMMENT_REQUIRED)]})
    for choice_id, revision in items:
        try:
            if decision == "approve":
                choice_approve(
                    actor=actor, choice_id=choice_id, expected_revision=revision, comment=comment
                )
            else:  # "return"
                choice_return(
                    actor=actor, choice_id=choice_id, expected_revision=revision, comment=comment
                )
            result.done.append(choice_id)
        except DomainError as exc:
            result.failed[choice_id] = exc.message
    return result
