"""The audit log is a hash chain: any change or deletion of a past entry is detected."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from emtihan.audit import services
from emtihan.audit.models import GENESIS_HASH, AppendOnlyError, AuditEntry, AuditHead
from emtihan.audit.services import audit_record, audit_verify


@pytest.fixture
def chain(world) -> list[AuditEntry]:
    """Five entries by different actors, about different objects."""
    return [
        audit_record(actor=world.teacher, action="examforms.save", obj=world.algebra,
                     data={"platform": "UNIVER", "form": "ORAL"}),
        audit_record(actor=world.teacher, action="examforms.submit", obj=world.algebra,
                     data={"revision": 2, "note": "Қазақша мәтін"}),
        audit_record(actor=world.head, action="examforms.approve", obj=world.algebra,
                     data={"revision": 2}),
        audit_record(actor=None, action="registry.import", object_type="university.importjob",
                     object_id="7", data={"rows": 120}),
        audit_record(actor=world.other_teacher, action="umkd.upload", obj=world.anatomy),
    ]  # fmt: skip


def run_verify_command() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


# --- writing ---------------------------------------------------------------------------


def test_entries_link_to_the_previous_one(chain):
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == GENESIS_HASH
    for before, after in zip(chain, chain[1:], strict=False):
        assert after.prev_hash == before.hash
    assert len({e.hash for e in chain}) == 5


def test_the_head_points_at_the_last_entry(chain):
    head = AuditHead.objects.get()
    assert (head.seq, head.hash) == (5, chain[-1].hash)


def test_an_entry_names_its_actor_and_object(chain, world):
    entry = AuditEntry.objects.get(seq=1)
    assert entry.actor == world.teacher
    assert entry.actor_label == "teacher@test.local"
    assert (entry.object_type, entry.object_id) == ("university.discipline", str(world.algebra.pk))
    assert entry.data == {"platform": "UNIVER", "form": "ORAL"}
    assert AuditEntry.objects.get(seq=4).actor_label == "system"


def test_the_stored_entries_verify(chain):
    report = audit_verify()
    assert report.ok
    assert report.checked == 5


def test_an_empty_log_verifies(db):
    report = audit_verify()
    assert report.ok
    assert report.checked == 0


def test_verification_walks_in_batches(chain):
    seen = []
    report = audit_verify(batch_size=2, progress=seen.append)
    assert report.ok
    assert seen == [2, 4]


# --- append-only ---------------------------------------------------------------------


def test_an_entry_cannot_be_saved_again(chain):
    entry = AuditEntry.objects.get(seq=2)
    entry.data = {"revision": 99}

    with pytest.raises(AppendOnlyError):
        entry.save()

    assert AuditEntry.objects.get(seq=2).data == {"revision": 2, "note": "Қазақша мәтін"}


def test_an_entry_cannot_be_deleted(chain):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(seq=2).delete()
    assert AuditEntry.objects.count() == 5


# --- tampering past the model ----------------------------------------------------------


def test_changed_data_is_detected_at_that_entry(chain):
    AuditEntry.objects.filter(seq=3).update(data={"revision": 3})

    report = audit_verify()

    assert not report.ok
    assert report.first_bad_seq == 3
    assert report.checked == 2
    assert report.reason == "content does not match its hash"


@pytest.mark.parametrize(
    "change", [{"action": "examforms.return"}, {"object_id": "999"}, {"actor_label": "x@y.z"}]
)
def test_every_recorded_field_is_covered_by_the_hash(chain, change):
    AuditEntry.objects.filter(seq=2).update(**change)
    assert audit_verify().first_bad_seq == 2


def test_a_rewritten_entry_with_a_fresh_hash_breaks_the_next_link(chain):
    entry = AuditEntry.objects.get(seq=2)
    entry.data = {"revision": 1}
    AuditEntry.objects.filter(seq=2).update(data=entry.data, hash=entry.compute_hash())

    report = audit_verify()

    assert report.first_bad_seq == 3
    assert report.reason == "previous-hash link does not match"


def test_a_rewritten_last_entry_does_not_match_the_head(chain):
    entry = AuditEntry.objects.get(seq=5)
    entry.data = {"forged": True}
    AuditEntry.objects.filter(seq=5).update(data=entry.data, hash=entry.compute_hash())

    report = audit_verify()

    assert report.first_bad_seq == 5
    assert report.reason == "the last entry does not match the chain head"


def test_a_deleted_middle_entry_is_detected(chain):
    # QuerySet.delete() runs SQL DELETE and never calls AuditEntry.delete().
    AuditEntry.objects.filter(seq=3).delete()

    report = audit_verify()

    assert report.first_bad_seq == 3
    assert report.reason == "entry 3 is missing"


def test_deleted_last_entries_are_detected(chain):
    AuditEntry.objects.filter(seq__gte=4).delete()

    report = audit_verify()

    assert report.first_bad_seq == 4
    assert report.checked == 3


def test_an_entry_added_past_the_head_is_detected(chain):
    forged = AuditEntry(
        seq=6, at=chain[-1].at, actor_label="x", action="forged", object_type="x",
        object_id="1", data={}, prev_hash=chain[-1].hash,
    )  # fmt: skip
    forged.hash = forged.compute_hash()
    forged.save()

    report = audit_verify()

    assert report.first_bad_seq == 6
    assert report.reason == "entries after the chain head were not written by the log"


def test_an_entry_appended_during_verification_is_not_an_error(chain, world, monkeypatch):
    """The log is written during exams while an operator verifies it: an append that lands
    between reading the entries and reading the head must not look like a break."""
    walk = services._iter_entries

    def walk_then_append(*args, **kwargs):
        yield from walk(*args, **kwargs)
        audit_record(actor=world.teacher, action="examforms.save", obj=world.physics)

    monkeypatch.setattr(services, "_iter_entries", walk_then_append)

    report = audit_verify()

    assert report.ok, report.reason
    monkeypatch.undo()
    assert audit_verify().checked == 6


# --- transactions ----------------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_rolled_back_entry_leaves_no_trace(chain, world):
    with pytest.raises(Boom), transaction.atomic():
        audit_record(actor=world.teacher, action="examforms.save", obj=world.physics)
        raise Boom

    assert AuditEntry.objects.count() == 5
    assert AuditHead.objects.get().seq == 5
    assert audit_verify().ok

    after = audit_record(actor=world.teacher, action="examforms.save", obj=world.physics)
    assert after.seq == 6
    assert after.prev_hash == chain[-1].hash
    assert audit_verify().ok


# --- the management command ----------------------------------------------------------


def test_the_command_prints_ok_on_an_intact_chain(chain):
    out = run_verify_command()
    assert "OK" in out
    assert "5 entries verified" in out


def test_the_command_fails_on_a_broken_chain(chain):
    AuditEntry.objects.filter(seq=2).update(data={})

    with pytest.raises(CommandError) as failure:
        run_verify_command()

    message = str(failure.value)
    assert "BROKEN at entry 2" in message
    assert "content does not match its hash" in message
    assert "1 entries verified before it" in message
