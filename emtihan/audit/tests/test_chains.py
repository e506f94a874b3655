"""One chain per exam plus the global chain: each advances and verifies on its own, and a
break in one is reported for that chain only."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from emtihan.attempts.models import Attempt
from emtihan.attempts.tests.conftest import make_exam
from emtihan.audit.models import (
    CHAIN_OPEN,
    GENESIS_HASH,
    GLOBAL_CHAIN,
    AuditEntry,
    AuditHead,
    chain_of,
    exam_chain,
)
from emtihan.audit.services import audit_record, audit_verify


@pytest.fixture
def exams(world):
    return make_exam(world), make_exam(world, group=world.g2, title="Algebra final, g2")


@pytest.fixture
def log(world, exams) -> list[AuditEntry]:
    """Entries about two exams, interleaved, and about a discipline (global)."""
    a, b = exams
    return [
        audit_record(actor=world.teacher, action="exams.create", obj=a),
        audit_record(actor=world.teacher, action="exams.create", obj=b),
        audit_record(actor=world.teacher, action="exams.publish", obj=a),
        audit_record(actor=world.teacher, action="examforms.save", obj=world.algebra),
        audit_record(actor=world.teacher, action="exams.publish", obj=b),
        audit_record(actor=world.teacher, action="exams.update", obj=a, data={"title": "New"}),
    ]


def entries_of(chain: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=chain).order_by("seq"))


def breaks(report) -> dict[str, tuple[int | None, str]]:
    return {c.chain: (c.first_bad_seq, c.reason) for c in report.breaks}


# --- which chain ----------------------------------------------------------------------


def test_an_exam_and_its_rows_name_its_chain_the_rest_the_global_one(world, exams):
    a, _b = exams
    assert chain_of(a) == exam_chain(a.pk) == f"exam:{a.pk}"
    assert chain_of(Attempt(exam=a)) == f"exam:{a.pk}"
    assert chain_of(world.algebra) == GLOBAL_CHAIN
    assert chain_of(None) == GLOBAL_CHAIN


# --- writing ---------------------------------------------------------------------------


def test_two_chains_advance_independently(log, exams):
    a, b = exams
    chain_a, chain_b = entries_of(exam_chain(a.pk)), entries_of(exam_chain(b.pk))

    assert [e.action for e in chain_a] == ["exams.create", "exams.publish", "exams.update"]
    assert [e.action for e in chain_b] == ["exams.create", "exams.publish"]
    for chain in (chain_a, chain_b):
        assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == GENESIS_HASH
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.prev_hash == before.hash
    heads = dict(AuditHead.objects.values_list("chain", "seq"))
    assert heads == {GLOBAL_CHAIN: 3, exam_chain(a.pk): 3, exam_chain(b.pk): 2}


def test_a_chain_is_opened_in_the_global_chain_by_its_first_entry(log, exams, world):
    a, b = exams
    opened = entries_of(GLOBAL_CHAIN)

    assert [(e.action, e.object_id) for e in opened] == [
        (CHAIN_OPEN, exam_chain(a.pk)),
        (CHAIN_OPEN, exam_chain(b.pk)),
        ("examforms.save", str(world.algebra.pk)),
    ]
    assert opened[0].actor == world.teacher
    assert opened[0].data == {"for": "exams.create"}


def test_every_chain_verifies(log):
    report = audit_verify()

    assert report.ok
    assert report.checked == 8
    assert len(report.chains) == 3


def test_progress_counts_the_entries_of_every_chain(log):
    seen = []
    assert audit_verify(batch_size=3, progress=seen.append).ok
    assert seen == [3, 6]


# --- tampering -------------------------------------------------------------------------


def test_tampering_in_one_chain_is_reported_for_that_chain_only(log, exams):
    a, b = exams
    AuditEntry.objects.filter(chain=exam_chain(a.pk), seq=2).update(data={"forged": True})

    report = audit_verify()

    assert breaks(report) == {exam_chain(a.pk): (2, "content does not match its hash")}
    assert [c.ok for c in report.chains if c.chain != exam_chain(a.pk)] == [True, True]
    # Everything but the broken entry and the one after it was checked.
    assert report.checked == 8 - 2


def test_a_chain_whose_entries_are_all_deleted_is_detected(log, exams):
    a, _b = exams
    AuditEntry.objects.filter(chain=exam_chain(a.pk)).delete()

    assert breaks(audit_verify()) == {exam_chain(a.pk): (1, "entry 1 is missing")}


def test_a_chain_deleted_with_its_head_is_detected(log, exams):
    a, _b = exams
    AuditEntry.objects.filter(chain=exam_chain(a.pk)).delete()
    AuditHead.objects.filter(chain=exam_chain(a.pk)).delete()

    report = audit_verify()

    assert breaks(report) == {exam_chain(a.pk): (1, "the chain opened in the global chain is gone")}


def test_an_entry_moved_to_another_chain_is_detected(log, exams):
    a, b = exams
    last_b = entries_of(exam_chain(b.pk))[-1]
    AuditEntry.objects.filter(pk=last_b.pk).update(chain=exam_chain(a.pk), seq=4)
    AuditHead.objects.filter(chain=exam_chain(a.pk)).update(seq=4, hash=last_b.hash)

    report = audit_verify()

    assert breaks(report)[exam_chain(a.pk)] == (4, "previous-hash link does not match")
    assert breaks(report)[exam_chain(b.pk)] == (2, "entry 2 is missing")


def test_a_chain_never_opened_is_detected(log):
    forged = AuditEntry(
        chain="exam:999", seq=1, at=log[0].at, actor_label="x", action="exams.create",
        object_type="exams.exam", object_id="999", data={}, prev_hash=GENESIS_HASH,
    )  # fmt: skip
    forged.hash = forged.compute_hash()
    forged.save()
    AuditHead.objects.create(chain="exam:999", seq=1, hash=forged.hash)

    assert breaks(audit_verify()) == {
        "exam:999": (1, "the chain was not opened in the global chain")
    }


def test_entries_of_a_chain_without_a_head_are_detected(log):
    forged = AuditEntry(
        chain="exam:999", seq=1, at=log[0].at, actor_label="x", action="exams.create",
        object_type="exams.exam", object_id="999", data={}, prev_hash=GENESIS_HASH,
    )  # fmt: skip
    forged.hash = forged.compute_hash()
    forged.save()

    assert breaks(audit_verify()) == {
        "exam:999": (1, "entries after the chain head were not written by the log")
    }


# --- the management command ----------------------------------------------------------


def test_the_command_counts_the_chains(log):
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert "Audit chain OK: 8 entries verified in 3 chains." in out.getvalue()


def test_the_command_names_every_broken_chain(log, exams):
    a, b = exams
    AuditEntry.objects.filter(chain=exam_chain(a.pk), seq=3).update(data={})
    AuditEntry.objects.filter(chain=exam_chain(b.pk), seq=1).update(action="x")

    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", stdout=StringIO())

    lines = str(failure.value).splitlines()
    assert lines == sorted(
        [
            f"Audit chain exam:{a.pk} BROKEN at entry 3: content does not match its hash "
            "(2 entries verified before it).",
            f"Audit chain exam:{b.pk} BROKEN at entry 1: content does not match its hash "
            "(0 entries verified before it).",
        ]
    )
