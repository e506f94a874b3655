"""The head's review: approve, return, reopen, bulk; and what that locks for the teacher."""

from __future__ import annotations

import pytest

from emtihan.audit.services import audit_verify
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.examforms import services
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice, ExamRule
from emtihan.examforms.services import (
    ChoiceInput,
    choice_approve,
    choice_reopen,
    choice_return,
    choice_save,
    choices_bulk_decide,
)


@pytest.fixture
def submitted(world, programmes):
    return choice_save(
        actor=world.teacher, discipline=world.algebra, group=world.g1,
        data=ChoiceInput(platform="UNIVER", form="ORAL", additional_info="Zoom", programme_id=programmes["algebra"].pk),
    )  # fmt: skip


def _resend(world, choice, programmes, **changes):
    data = ChoiceInput.of(choice)
    for k, v in changes.items():
        setattr(data, k, v)
    return choice_save(actor=world.teacher, discipline=choice.discipline, group=choice.group,
                       data=data, expected_revision=choice.revision)  # fmt: skip


def test_the_whole_round_trip(world, programmes, submitted):
    returned = choice_return(
        actor=world.head, choice_id=submitted.pk, expected_revision=1, comment="Use BigBlueButton"
    )
    assert returned.status == ChoiceStatus.RETURNED and returned.head_comment == "Use BigBlueButton"
    resent = _resend(world, returned, programmes, additional_info="BigBlueButton")
    assert resent.status == ChoiceStatus.SUBMITTED and resent.revision == 2
    approved = choice_approve(actor=world.head, choice_id=resent.pk, expected_revision=2)
    assert approved.status == ChoiceStatus.APPROVED and approved.decided_by == world.head
    history = [
        (t.from_status, t.to_status, t.actor.email, t.comment) for t in approved.transitions.all()
    ]
    assert history == [
        ("not_chosen", "submitted", world.teacher.email, ""),
        ("submitted", "returned", world.head.email, "Use BigBlueButton"),
        ("returned", "submitted", world.teacher.email, ""),
        ("submitted", "approved", world.head.email, ""),
    ]
    report = audit_verify()
    assert report.ok and report.checked == 4


def test_an_approved_choice_cannot_be_edited(world, programmes, submitted):
    approved = choice_approve(actor=world.head, choice_id=submitted.pk, expected_revision=1)
    with pytest.raises(DomainError) as exc:
        _resend(world, approved, programmes, additional_info="Teams")
    assert exc.value.message == services.ERR_NOT_EDITABLE
    assert ExamFormChoice.objects.get().additional_info == "Zoom"


def test_reopening_makes_it_editable_again_and_is_recorded(world, programmes, submitted):
    choice_approve(actor=world.head, choice_id=submitted.pk, expected_revision=1)
    with pytest.raises(ValidationFailed):
        choice_reopen(actor=world.head, choice_id=submitted.pk, comment=" ")
    reopened = choice_reopen(actor=world.head, choice_id=submitted.pk, comment="Programme changed")
    assert reopened.status == ChoiceStatus.RETURNED
    assert reopened.transitions.last().comment == "Programme changed"
    assert (
        _resend(world, reopened, programmes, additional_info="Teams").status
        == ChoiceStatus.SUBMITTED
    )


def test_a_teacher_cannot_reopen(world, submitted):
    choice_approve(actor=world.head, choice_id=submitted.pk, expected_revision=1)
    with pytest.raises(PermissionDeniedError):
        choice_reopen(actor=world.teacher, choice_id=submitted.pk, comment="please")


def test_a_head_cannot_approve_another_departments_choice(world, submitted):
    with pytest.raises(PermissionDeniedError) as exc:
        choice_approve(actor=world.other_head, choice_id=submitted.pk, expected_revision=1)
    assert exc.value.message == services.ERR_NOT_HEAD
    with pytest.raises(PermissionDeniedError):
        choice_return(
            actor=world.other_head, choice_id=submitted.pk, expected_revision=1, comment="no"
        )
    assert ExamFormChoice.objects.get().status == ChoiceStatus.SUBMITTED


def test_a_teacher_cannot_approve_their_own_choice(world, submitted):
    with pytest.raises(PermissionDeniedError):
        choice_approve(actor=world.teacher, choice_id=submitted.pk, expected_revision=1)


def test_returning_needs_a_comment(world, submitted):
    with pytest.raises(ValidationFailed) as exc:
        choice_return(actor=world.head, choice_id=submitted.pk, expected_revision=1, comment="")
    assert exc.value.errors == {"comment": [services.ERR_COMMENT_REQUIRED]}


def test_approving_content_changed_since_the_head_opened_it_is_refused(
    world, programmes, submitted
):
    _resend(world, submitted, programmes, additional_info="MS Teams")
    with pytest.raises(DomainError) as exc:
        choice_approve(actor=world.head, choice_id=submitted.pk, expected_revision=1)
    assert exc.value.message == services.ERR_STALE
    assert ExamFormChoice.objects.get().status == ChoiceStatus.SUBMITTED


def test_only_submitted_choices_are_decided(world, programmes):
    draft = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, submit=False,
                        data=ChoiceInput(platform="UNIVER", form="TESTING", programme_id=programmes["algebra"].pk))  # fmt: skip
    with pytest.raises(DomainError) as exc:
        choice_approve(actor=world.head, choice_id=draft.pk, expected_revision=1)
    assert exc.value.message == services.ERR_NOT_SUBMITTED


def test_a_choice_broken_by_a_rule_change_cannot_be_approved(world, submitted):
    ExamRule.objects.filter(number=4).update(is_active=False)
    with pytest.raises(DomainError) as exc:
        choice_approve(actor=world.head, choice_id=submitted.pk, expected_revision=1)
    assert exc.value.message == services.ERR_NO_LONGER_VALID


def test_bulk_approve_reports_each_row(world, programmes, submitted):
    physics = choice_save(actor=world.teacher, discipline=world.physics, group=world.g1,
                          data=ChoiceInput(platform="UNIVER", form="TESTING", programme_id=programmes["physics"].pk))  # fmt: skip
    anatomy = choice_save(actor=world.other_teacher, discipline=world.anatomy, group=world.med_group,
                          data=ChoiceInput(platform="STARTEXAM", form="TESTING", programme_id=programmes["anatomy"].pk))  # fmt: skip
    result = choices_bulk_decide(
        actor=world.head,
        decision="approve",
        items=[(submitted.pk, 1), (physics.pk, 1), (anatomy.pk, 1)],
    )
    assert sorted(result.done) == sorted([submitted.pk, physics.pk])
    assert result.failed == {anatomy.pk: services.ERR_NOT_HEAD}
    assert ExamFormChoice.objects.get(pk=anatomy.pk).status == ChoiceStatus.SUBMITTED


def test_an_unknown_bulk_decision_is_refused_as_a_whole(client, world, submitted):
    from emtihan.accounts.models import ApiToken
    from emtihan.examforms.services import ERR_BULK_DECISION

    with pytest.raises(ValidationFailed) as exc:
        choices_bulk_decide(actor=world.head, decision="maybe", items=[(submitted.pk, 1)])
    assert exc.value.errors == {"decision": [ERR_BULK_DECISION]}
    _token, key = ApiToken.issue(user=world.head, name="t")
    response = client.post(
        "/api/v1/exam-forms/review/bulk",
        {"decision": "maybe", "items": [[submitted.pk, 1]]},
        content_type="application/json",
        headers={"authorization": f"Bearer {key}"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"decision": [ERR_BULK_DECISION]}
    assert ExamFormChoice.objects.get(pk=submitted.pk).status == ChoiceStatus.SUBMITTED


def test_bulk_return_needs_a_comment(world, submitted):
    with pytest.raises(ValidationFailed):
        choices_bulk_decide(
            actor=world.head, decision="return", items=[(submitted.pk, 1)], comment=""
        )
    result = choices_bulk_decide(
        actor=world.head, decision="return", items=[(submitted.pk, 1)], comment="Fix it"
    )
    assert result.done == [submitted.pk]
