"""The migration to chains keeps a log written before it verifying: its entries become the
global chain as they are, and the entries written after it go to their chains."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from emtihan.attempts.tests.conftest import make_exam
from emtihan.audit.models import GENESIS_HASH, GLOBAL_CHAIN, AuditEntry, AuditHead, exam_chain
from emtihan.audit.services import audit_record, audit_verify

BEFORE = [("audit", "0001_initial")]
AFTER = [("audit", "0002_chains")]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def old_hash(prev: str, body: dict) -> str:
    """The hash as the single-chain log computed it (written out here, not imported, so
    that a change to ``AuditEntry.canonical`` that would break old rows fails this test)."""
    text = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(prev.encode() + text).hexdigest()


def write_old_log(apps, n: int) -> list[str]:
    Entry, Head = apps.get_model("audit", "AuditEntry"), apps.get_model("audit", "AuditHead")
    prev, hashes = GENESIS_HASH, []
    at = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    for seq in range(1, n + 1):
        body = {
            "seq": seq,
            "at": (at + dt.timedelta(minutes=seq)).isoformat(),
            "actor": "system",
            "action": "exams.publish",
            "object_type": "exams.exam",
            "object_id": "1",
            "data": {"n": seq},
        }
        entry_hash = old_hash(prev, body)
        Entry.objects.create(
            seq=seq, at=at + dt.timedelta(minutes=seq), actor_label="system",
            action=body["action"], object_type=body["object_type"], object_id="1",
            data=body["data"], prev_hash=prev, hash=entry_hash,
        )  # fmt: skip
        prev = entry_hash
        hashes.append(entry_hash)
    Head.objects.create(id=1, seq=n, hash=prev)
    return hashes


@pytest.fixture
def old_log():
    """Three entries written by the single-chain log, then the migration to chains."""
    try:
        hashes = write_old_log(migrate(BEFORE), 3)
        migrate(AFTER)
        yield hashes
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_old_entries_become_the_global_chain_as_they_are(old_log):
    entries = list(AuditEntry.objects.order_by("seq"))

    assert [(e.chain, e.seq, e.hash) for e in entries] == [
        (GLOBAL_CHAIN, seq, h) for seq, h in enumerate(old_log, start=1)
    ]
    assert list(AuditHead.objects.values_list("chain", "seq", "hash")) == [
        (GLOBAL_CHAIN, 3, old_log[-1])
    ]
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == 3


def test_old_entries_then_new_ones_in_their_chains_verify(old_log, world):
    exam = make_exam(world)

    audit_record(actor=world.teacher, action="exams.publish", obj=exam)
    audit_record(actor=world.teacher, action="examforms.save", obj=world.algebra)
    audit_record(actor=world.teacher, action="exams.update", obj=exam)

    global_chain = list(AuditEntry.objects.filter(chain=GLOBAL_CHAIN).order_by("seq"))
    assert [e.seq for e in global_chain] == [1, 2, 3, 4, 5]
    assert global_chain[3].prev_hash == old_log[-1]  # the chain's opening follows on
    assert AuditEntry.objects.filter(chain=exam_chain(exam.pk)).count() == 2
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == 7


def test_a_tampered_old_entry_is_still_detected(old_log):
    AuditEntry.objects.filter(seq=2).update(data={"n": 20})

    report = audit_verify()

    assert (report.first_bad_seq, report.reason) == (2, "content does not match its hash")


def test_the_migration_reverses_while_there_is_only_the_global_chain(old_log):
    apps = migrate(BEFORE)
    head = apps.get_model("audit", "AuditHead").objects.get()
    assert (head.id, head.seq, head.hash) == (1, 3, old_log[-1])
    assert apps.get_model("audit", "AuditEntry").objects.count() == 3
