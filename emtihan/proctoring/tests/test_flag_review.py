"""A proctor's review of a flag (``services.flag_review``): upheld or dismissed with a
note, by the exam's proctors only, once, audited."""

from __future__ import annotations

import datetime as dt

import pytest

from emtihan.accounts.models import Role
from emtihan.attempts.tests.conftest import assign_proctor
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.core.errors import DomainError, NotFoundError, ValidationFailed
from emtihan.proctoring import services
from emtihan.proctoring.models import Flag, FlagKind, FlagStatus
from emtihan.proctoring.services import EventIn

from .conftest import NOW


@pytest.fixture
def flag(world, recorded_sitting) -> Flag:
    """A tab_hidden flag raised by the rules from an 8-second hidden tab."""
    _exam, attempt = recorded_sitting
    services.events_record(
        student_user=world.student,
        attempt_id=attempt.pk,
        events=[EventIn("tab_hidden", NOW, 8000)],
        now=NOW + dt.timedelta(seconds=30),
    )
    return Flag.objects.get(attempt=attempt, kind=FlagKind.TAB_HIDDEN)


def test_the_exams_proctor_dismisses_a_flag_with_a_note(world, flag, proctor):
    assign_proctor(world, proctor, exam=flag.attempt.exam)
    reviewed = services.flag_review(
        actor=proctor, flag_id=flag.pk, status="dismissed", note="  Said aloud: a delivery.  "
    )
    assert reviewed.status == FlagStatus.DISMISSED
    assert (reviewed.reviewed_by, reviewed.review_note) == (proctor, "Said aloud: a delivery.")
    entry = AuditEntry.objects.get(action="proctoring.flag_review")
    assert entry.data["flag"] == flag.pk and entry.data["status"] == "dismissed"

    # Once reviewed it stays so: a second review (another proctor's) is refused.
    with pytest.raises(DomainError):
        services.flag_review(actor=proctor, flag_id=flag.pk, status="upheld", note="Seen.")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.DISMISSED


def test_a_review_needs_a_verdict_and_a_note(world, flag, proctor):
    assign_proctor(world, proctor, exam=flag.attempt.exam)
    with pytest.raises(ValidationFailed) as failed:
        services.flag_review(actor=proctor, flag_id=flag.pk, status="open", note=" ")
    assert set(failed.value.errors) == {"status", "note"}
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN


def test_only_the_exams_proctors_review_its_flags(world, flag, proctor):
    # A proctor of another exam, a grader and the student learn nothing about the flag.
    other = make_user("grader2@test.local", Role.GRADER, full_name="Gra Der Two")
    for person in (proctor, other, world.student):
        with pytest.raises(NotFoundError):
            services.flag_review(actor=person, flag_id=flag.pk, status="upheld", note="Seen.")
    flag.refresh_from_db()
    assert flag.status == FlagStatus.OPEN
    assert not AuditEntry.objects.filter(action="proctoring.flag_review").exists()
