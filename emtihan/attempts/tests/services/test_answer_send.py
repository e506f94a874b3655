from __future__ import annotations

import hashlib
import json

import pytest

from emtihan.attempts import services
from emtihan.attempts.models import Answer, AnswerVersion
from emtihan.attempts.selectors import answer_state
from emtihan.attempts.tests.conftest import NOW, SECOND, doc
from emtihan.audit.models import AuditEntry


def answer(sitting) -> Answer:
    return Answer.objects.get(attempt=sitting.attempt, question_id=sitting.written)


def test_a_send_makes_version_1_and_a_receipt(sitting):
    content = doc("Жауап: ядро — атом")
    result = sitting.send(content, base=0, key="s1", at=NOW + 7 * SECOND)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    assert result.receipt == services.Receipt(
        version=1, sent_at=NOW + 7 * SECOND, digest=digest[:12]
    )
    assert result.draft_version == 1
    version = AnswerVersion.objects.get()
    assert (version.number, version.content, version.digest, version.auto) == (
        1,
        content,
        digest,
        False,
    )
    state = answer_state(answer(sitting), question_id=sitting.written)
    assert state["state"] == "sent"
    assert state["receipt"] == {"version": 1, "sent_at": NOW + 7 * SECOND, "digest": digest[:12]}


def test_edit_after_send_then_send_again_makes_version_2(sitting):
    sitting.save(doc("draft"), base=0, key="d1")
    sitting.send(doc("first"), base=1, key="s1")
    sitting.save(doc("better"), base=2, key="d2")
    assert answer_state(answer(sitting), question_id=sitting.written)["state"] == "edited"
    result = sitting.send(doc("better"), base=3, key="s2")
    assert result.receipt is not None and result.receipt.version == 2
    assert result.draft_version == 4
    assert list(AnswerVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


def test_a_retried_send_makes_one_version_and_acknowledges_both(sitting):
    first = sitting.send(doc("once"), base=0, key="same")
    retry = sitting.send(doc("once"), base=0, key="same", at=NOW + 4 * SECOND)
    assert retry.receipt == first.receipt
    assert retry.draft_version == first.draft_version
    assert AnswerVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="attempt.answer_send").count() == 1


def test_a_send_is_not_mistaken_for_the_retry_of_a_draft_with_the_same_key(sitting):
    sitting.save(doc("draft"), base=0, key="k")
    result = sitting.send(doc("draft"), base=1, key="k")
    assert result.receipt is not None and result.receipt.version == 1


def test_a_stale_send_is_refused_and_makes_no_version(sitting):
    sitting.save(doc("tab A"), base=0, key="a1")
    with pytest.raises(services.StaleVersion) as exc:
        sitting.send(doc("tab B"), base=0, key="b1")
    assert exc.value.current["content"] == doc("tab A")
    assert not AnswerVersion.objects.exists()


def test_two_tabs_sending_on_the_same_base_get_one_version_and_one_conflict(sitting):
    sitting.save(doc("base"), base=0, key="d1")
    sitting.send(doc("tab A"), base=1, key="a")
    with pytest.raises(services.StaleVersion):
        sitting.send(doc("tab B"), base=1, key="b")
    assert AnswerVersion.objects.get().content == doc("tab A")


def test_a_send_is_audited_with_its_digest(sitting):
    result = sitting.send(doc("x"), base=0, key="s1")
    entry = AuditEntry.objects.get(action="attempt.answer_send")
    assert entry.actor == sitting.user
    assert entry.data["version"] == 1
    assert entry.data["question_id"] == sitting.written
    assert result.receipt is not None and entry.data["digest"].startswith(result.receipt.digest)


def test_a_send_after_the_deadline_is_refused(sitting):
    with pytest.raises(services.TimeIsOver) as exc:
        sitting.send(doc("late"), base=0, key="s1", at=sitting.attempt.deadline + SECOND)
    assert exc.value.message == services.ERR_TIME_OVER
    assert not AnswerVersion.objects.filter(auto=False).exists()


def test_a_send_into_a_locked_answer_is_refused(sitting):
    sitting.save(doc("one"), base=0, key="d1")
    Answer.objects.filter(attempt=sitting.attempt).update(locked=True)
    with pytest.raises(services.TimeIsOver):
        sitting.send(doc("two"), base=1, key="s1")
