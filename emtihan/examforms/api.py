"""JSON API for exam-form choices: the same services as the pages, the same permissions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from emtihan.core.api import Id, Whole, error_responses, errors, limit, raise_as_http
from emtihan.policy import examforms as policy
from emtihan.policy import university as university_policy
from emtihan.university.models import Discipline, StudyGroup

from . import selectors, services
from .models import ExamForm, ExamFormChoice, ExamRule, ExamType, Platform
from .selectors import ChoiceRow

router = Router(tags=["exam-forms"])

BULK_MAX_ITEMS = 1000


class RuleOut(Schema):
    number: int
    platform: str
    form: str
    exam_type: str
    additional_info: str
    medical_only: bool
    label: str


class ChoiceOut(Schema):
    id: int
    discipline_id: int
    discipline_code: str
    group_id: int
    group_code: str
    period_code: str
    platform: str
    form: str
    exam_type: str
    additional_info: str
    programme_id: int | None
    status: str
    revision: int
    head_comment: str
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None

    @staticmethod
    def of(choice: ExamFormChoice) -> ChoiceOut:
        return ChoiceOut(
            id=choice.pk,
            discipline_id=choice.discipline_id,
            discipline_code=choice.discipline.code,
            group_id=choice.group_id,
            group_code=choice.group.code,
            period_code=choice.period.code,
            platform=choice.platform,
            form=choice.form,
            exam_type=choice.exam_type,
            additional_info=choice.additional_info,
            programme_id=choice.programme_id,
            status=choice.status,
            revision=choice.revision,
            head_comment=choice.head_comment,
            updated_at=choice.updated_at,
            submitted_at=choice.submitted_at,
            decided_at=choice.decided_at,
        )


class RowOut(Schema):
    discipline_id: int
    discipline_code: str
    discipline_name: str
    group_id: int
    group_code: str
    study_form: str
    student_count: int
    status: str
    choice: ChoiceOut | None

    @staticmethod
    def of(row: ChoiceRow) -> RowOut:
        return RowOut(
            discipline_id=row.discipline.pk,
            discipline_code=row.discipline.code,
            discipline_name=row.discipline.name,
            group_id=row.group.pk,
            group_code=row.group.code,
            study_form=row.group.study_form,
            student_count=row.student_count,
            status=row.status,
            choice=ChoiceOut.of(row.choice) if row.choice else None,
        )


class OptionsOut(Schema):
    platforms: list[str]
    forms: list[str]
    types: list[str]
    additional_info: str


class ChoiceIn(Schema):
    # The values Table 1 can hold; which of them a discipline may use is the rule table's
    # answer (GET /options), given as a 400 by the service.
    discipline_id: Id
    group_id: Id
    platform: Annotated[str, limit(enum=list(Platform.values))]
    form: Annotated[str, limit(enum=list(ExamForm.values))]
    exam_type: Annotated[str, limit(enum=["", *ExamType.values])] = ""
    additional_info: Annotated[str, limit(maxLength=services.INFO_MAX_LENGTH)] = ""
    programme_id: Id | None = None
    expected_revision: Whole | None = None
    submit: bool = True


class DecisionIn(Schema):
    expected_revision: Whole
    comment: str = ""


CONFIRM_ATTEMPTS = (
    "When students have started the choice's exam, the service answers 409 naming the exam "
    "and the number of attempts; send that number here to confirm (docs/EXAMS.md)."
)


class ReturnIn(DecisionIn):
    confirm_attempts: Whole | None = Field(None, description=CONFIRM_ATTEMPTS)


class ReopenIn(Schema):
    comment: str
    confirm_attempts: Whole | None = Field(None, description=CONFIRM_ATTEMPTS)


class BulkIn(Schema):
    decision: Annotated[str, limit(enum=["approve", "return"])]
    comment: str = ""
    # Each item is decided in its own transaction: a bound on the work of one request.
    items: Annotated[list[tuple[Id, Whole]], Field(max_length=BULK_MAX_ITEMS)]


class BulkOut(Schema):
    done: list[int]
    failed: dict[int, str]


class TransitionOut(Schema):
    from_status: str
    to_status: str
    actor: str
    at: dt.datetime
    comment: str
    revision: int


@router.get(
    "/rules",
    response={200: list[RuleOut], **errors(409)},
    summary="Table 1 for the current academic year",
)
def rules_list(request):
    period = raise_as_http(services.current_period)
    rules = ExamRule.objects.filter(academic_year=period.academic_year, is_active=True).order_by(
        "number"
    )
    return [
        RuleOut(label=r.label, **{f: getattr(r, f) for f in RuleOut.model_fields if f != "label"})
        for r in rules
    ]


@router.get(
    "/options",
    response={200: OptionsOut, **errors(404, 409, 422)},
    summary="What the drop-downs offer for a discipline",
)
def options(request, discipline_id: Id, platform: str = "", form: str = ""):
    discipline = get_object_or_404(
        Discipline.objects.select_related("department__faculty"), pk=discipline_id
    )
    period = raise_as_http(services.current_period)
    book = services.rulebook_for(discipline=discipline, period=period)
    return OptionsOut(
        platforms=book.platforms(),
        forms=book.forms(platform) if platform else [],
        types=book.types(platform, form) if platform and form else [],
        additional_info=book.additional_info(platform, form) if platform and form else "none",
    )


@router.get(
    "/my-rows",
    response={200: list[RowOut], **errors(409)},
    summary="The teacher's groups x disciplines",
)
def my_rows(request):
    period = raise_as_http(services.current_period)
    return [RowOut.of(r) for r in selectors.teacher_rows(user=request.user, period=period)]


@router.put(
    "/choices", response={200: ChoiceOut, **error_responses}, summary="Save (and send for review)"
)
def choice_put(request, payload: ChoiceIn):
    discipline = get_object_or_404(
        Discipline.objects.select_related("department__faculty"), pk=payload.discipline_id
    )
    group = get_object_or_404(StudyGroup, pk=payload.group_id)
    choice = raise_as_http(
        services.choice_save,
        actor=request.user,
        discipline=discipline,
        group=group,
        data=services.ChoiceInput(
            platform=payload.platform,
            form=payload.form,
            exam_type=payload.exam_type,
            additional_info=payload.additional_info,
            programme_id=payload.programme_id,
        ),
        submit=payload.submit,
        expected_revision=payload.expected_revision,
    )
    return ChoiceOut.of(choice)


def _visible_choice(request, choice_id: int) -> ExamFormChoice:
    choice = get_object_or_404(
        ExamFormChoice.objects.select_related("discipline__department", "group", "period"),
        pk=choice_id,
    )
    if not policy.may_view_choice(request.user, choice):
        raise HttpError(404, "Not found")
    return choice


@router.get("/choices/{choice_id}", response={200: ChoiceOut, **errors(404, 422)})
def choice_get(request, choice_id: Id):
    return ChoiceOut.of(_visible_choice(request, choice_id))


@router.get("/choices/{choice_id}/history", response={200: list[TransitionOut], **errors(404, 422)})
def choice_history(request, choice_id: Id):
    choice = _visible_choice(request, choice_id)
    return [
        TransitionOut(
            from_status=t.from_status, to_status=t.to_status, actor=str(t.actor), at=t.at,
            comment=t.comment, revision=t.revision,
        )
        for t in choice.transitions.select_related("actor")
    ]  # fmt: skip


@router.post("/choices/{choice_id}/approve", response={200: ChoiceOut, **error_responses})
def choice_approve(request, choice_id: Id, payload: DecisionIn):
    choice = raise_as_http(
        services.choice_approve,
        actor=request.user, choice_id=choice_id, expected_revision=payload.expected_revision, comment=payload.comment,
    )  # fmt: skip
    return ChoiceOut.of(choice)


@router.post("/choices/{choice_id}/return", response={200: ChoiceOut, **error_responses})
def choice_return(request, choice_id: Id, payload: ReturnIn):
    choice = raise_as_http(
        services.choice_return,
        actor=request.user, choice_id=choice_id, expected_revision=payload.expected_revision, comment=payload.comment,
        confirm_attempts=payload.confirm_attempts,
    )  # fmt: skip
    return ChoiceOut.of(choice)


@router.post("/choices/{choice_id}/reopen", response={200: ChoiceOut, **error_responses})
def choice_reopen(request, choice_id: Id, payload: ReopenIn):
    choice = raise_as_http(
        services.choice_reopen, actor=request.user, choice_id=choice_id, comment=payload.comment,
        confirm_attempts=payload.confirm_attempts,
    )  # fmt: skip
    return ChoiceOut.of(choice)


@router.get(
    "/review",
    response={200: list[RowOut], **errors(403, 409)},
    summary="The head's discipline x group rows",
)
def review_list(request, status: str = ""):
    if not university_policy.may_open_review(request.user):
        raise HttpError(403, "Only heads of department review exam forms.")
    period = raise_as_http(services.current_period)
    return [
        RowOut.of(r)
        for r in selectors.review_rows(head=request.user, period=period, status=status or None)
    ]


@router.post("/review/bulk", response={200: BulkOut, **error_responses})
def review_bulk(request, payload: BulkIn):
    result = raise_as_http(
        services.choices_bulk_decide,
        actor=request.user, items=payload.items, decision=payload.decision, comment=payload.comment,
    )  # fmt: skip
    return BulkOut(done=result.done, failed=result.failed)
