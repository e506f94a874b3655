from __future__ import annotations

import pytest

from emtihan.attempts import content, services
from emtihan.attempts.models import Answer, AttemptStatus
from emtihan.attempts.tests.conftest import NOW, SECOND, doc
from emtihan.audit.models import AuditEntry
from emtihan.core.errors import ValidationFailed
from emtihan.exams.models import QuestionKind


def answer(sitting, question=None) -> Answer:
    return Answer.objects.get(attempt=sitting.attempt, question_id=question or sitting.written)


def test_the_first_save_creates_the_draft(sitting):
    result = sitting.save(doc("one"), key="k1", at=NOW + 5 * SECOND)
    assert result.draft_version == 1
    assert result.saved_at == NOW + 5 * SECOND == result.server_time
    stored = answer(sitting)
    assert stored.draft == doc("one")
    assert stored.draft_digest == content.digest_of(doc("one"))
    assert stored.sent_number == 0


def test_each_save_based_on_the_current_version_moves_it_on(sitting):
    sitting.save(doc("one"), base=0, key="k1")
    result = sitting.save(doc("two"), base=1, key="k2")
    assert result.draft_version == 2
    assert answer(sitting).draft == doc("two")


def test_a_stale_base_is_refused_with_the_current_content(sitting):
    sitting.save(doc("from tab A"), base=0, key="a1")
    sitting.save(doc("tab A again"), base=1, key="a2")
    with pytest.raises(services.StaleVersion) as exc:
        sitting.save(doc("from tab B"), base=1, key="b1")
    assert exc.value.message == services.ERR_STALE
    current = exc.value.current
    assert current["content"] == doc("tab A again")
    assert current["draft_version"] == 2
    assert current["state"] == "draft"
    assert answer(sitting).draft == doc("tab A again")


def test_a_first_save_from_a_second_tab_is_refused_when_the_first_tab_saved(sitting):
    sitting.save(doc("tab A"), base=0, key="a1")
    with pytest.raises(services.StaleVersion) as exc:
        sitting.save(doc("tab B"), base=0, key="b1")
    assert exc.value.current["content"] == doc("tab A")


def test_a_base_that_never_existed_is_refused_with_an_empty_state(sitting):
    with pytest.raises(services.StaleVersion) as exc:
        sitting.save(doc("x"), base=3, key="k1")
    assert exc.value.current["state"] == "empty"
    assert exc.value.current["draft_version"] == 0


def test_a_retry_with_the_same_key_is_acknowledged_not_applied_twice(sitting):
    first = sitting.save(doc("one"), base=0, key="same")
    retry = sitting.save(doc("one"), base=0, key="same", at=NOW + 3 * SECOND)
    assert retry.draft_version == first.draft_version == 1
    assert retry.saved_at == first.saved_at
    second = sitting.save(doc("two"), base=1, key="next")
    retry_again = sitting.save(doc("two"), base=1, key="next")
    assert retry_again.draft_version == second.draft_version == 2
    assert answer(sitting).draft_version == 2


def test_drafts_write_no_audit_entries(sitting):
    before = AuditEntry.objects.count()
    sitting.save(doc("one"), base=0, key="k1")
    sitting.save(doc("two"), base=1, key="k2")
    assert AuditEntry.objects.count() == before


def test_a_save_at_the_deadline_is_refused_with_the_time_over_message(sitting):
    sitting.save(doc("one"), base=0, key="k1")
    with pytest.raises(services.TimeIsOver) as exc:
        sitting.save(doc("late"), base=1, key="k2", at=sitting.attempt.deadline)
    assert exc.value.message == services.ERR_TIME_OVER
    assert answer(sitting).draft == doc("one")
    assert sitting.reload().status == AttemptStatus.TIMED_OUT  # locked by the request itself


def test_a_save_after_finishing_is_refused(sitting):
    services.attempt_finish(attempt_id=sitting.attempt.pk, student_user=sitting.user, now=NOW)
    with pytest.raises(services.TimeIsOver) as exc:
        sitting.save(doc("late"), base=0, key="k2")
    assert exc.value.message == services.ERR_FINISHED


def test_a_save_that_lost_the_race_with_the_lock_is_refused(sitting):
    """The attempt read said "in progress", then the lock committed before our UPDATE."""
    sitting.save(doc("one"), base=0, key="k1")
    Answer.objects.filter(attempt=sitting.attempt).update(locked=True)
    with pytest.raises(services.TimeIsOver):
        sitting.save(doc("two"), base=1, key="k2")
    assert answer(sitting).draft == doc("one")


def test_another_students_attempt_is_not_found(sitting, other_student):
    with pytest.raises(services.NotFoundError) as exc:
        services.answer_save(
            attempt_id=sitting.attempt.pk,
            student_user=other_student,
            question_id=sitting.written,
            content=doc("x"),
            base_version=0,
            key="k",
            now=NOW,
        )
    assert exc.value.message == services.ERR_ATTEMPT_NOT_FOUND


def test_a_question_outside_the_attempt_is_not_found(sitting):
    with pytest.raises(services.NotFoundError) as exc:
        sitting.save(doc("x"), question=999_999)
    assert exc.value.message == services.ERR_QUESTION_NOT_FOUND


@pytest.mark.parametrize("key", ["", "x" * 65, "with space", None, 5])
def test_the_key_is_required(sitting, key):
    with pytest.raises(ValidationFailed) as exc:
        sitting.save(doc("x"), key=key)
    assert exc.value.errors == {"key": [services.ERR_KEY]}


@pytest.mark.parametrize("base", [-1, "1", None, True])
def test_the_base_version_must_be_a_count(sitting, base):
    with pytest.raises(ValidationFailed) as exc:
        sitting.save(doc("x"), base=base)
    assert exc.value.errors == {"base_version": [services.ERR_BASE_VERSION]}


@pytest.mark.parametrize(
    ("kind", "value", "stored"),
    [
        (QuestionKind.SINGLE, {"choice": "b"}, {"choice": "b"}),
        (QuestionKind.SINGLE, {"choice": None}, {"choice": None}),
        (QuestionKind.TRUE_FALSE, {"choice": "false"}, {"choice": "false"}),
        (QuestionKind.MULTIPLE, {"choices": ["c", "a", "c"]}, None),
        (QuestionKind.SHORT, {"text": " Astana "}, {"text": " Astana "}),
        (QuestionKind.NUMERIC, {"text": "3,14"}, {"text": "3,14"}),
    ],
)
def test_each_kind_keeps_its_content(sitting, kind, value, stored):
    question = sitting.q(kind)
    sitting.save(value, question=question)
    saved = answer(sitting, question).draft
    if stored is None:  # multiple: once each, in the layout's option order
        order = next(e["options"] for e in sitting.attempt.layout if e["q"] == question)
        stored = {"choices": [o for o in order if o in {"a", "c"}]}
    assert saved == stored


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        (QuestionKind.SINGLE, {"choice": "z"}, content.ERR_UNKNOWN_OPTION),
        (QuestionKind.SINGLE, {"choices": ["a"]}, content.ERR_SHAPE),
        (QuestionKind.TRUE_FALSE, {"choice": "maybe"}, content.ERR_UNKNOWN_OPTION),
        (QuestionKind.MULTIPLE, {"choices": "a"}, content.ERR_SHAPE),
        (QuestionKind.MULTIPLE, {"choices": ["a", "z"]}, content.ERR_UNKNOWN_OPTION),
        (QuestionKind.SHORT, {"text": "x" * 1001}, content.ERR_TEXT_TOO_LONG),
        (QuestionKind.NUMERIC, {"text": 3.14}, content.ERR_SHAPE),
        (QuestionKind.WRITTEN, {"text": "not a doc"}, content.ERR_SHAPE),
        (QuestionKind.WRITTEN, {"doc": {"type": "paragraph"}}, content.ERR_SHAPE),
    ],
)
def test_content_of_the_wrong_shape_is_refused(sitting, kind, value, message):
    with pytest.raises(ValidationFailed) as exc:
        sitting.save(value, question=sitting.q(kind))
    assert exc.value.errors == {"content": [message]}
    assert not Answer.objects.filter(attempt=sitting.attempt).exists()


def test_an_answer_over_256_kb_is_refused(sitting):
    big = doc("я" * 140_000)  # 280 KB of UTF-8
    with pytest.raises(ValidationFailed) as exc:
        sitting.save(big)
    assert exc.value.errors == {"content": [content.ERR_TOO_LARGE]}


def test_a_save_counts_as_presence_but_writes_it_at_most_every_20_seconds(sitting):
    sitting.save(doc("one"), base=0, key="k1", at=NOW + 10 * SECOND)
    assert sitting.reload().last_seen_at == NOW
    sitting.save(doc("two"), base=1, key="k2", at=NOW + 25 * SECOND)
    assert sitting.reload().last_seen_at == NOW + 25 * SECOND
    assert sitting.attempt.absence_seconds == 0
