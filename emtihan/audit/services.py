"""Writing to and verifying the audit log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import GENESIS_HASH, AuditEntry, AuditHead


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain, inside the caller's transaction if there is one.

    Call it in the same transaction as the change it records: if the change rolls back,
    so does its entry.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    with transaction.atomic():
        head, _created = AuditHead.objects.select_for_update().get_or_create(id=1)
        actor_obj = actor if getattr(actor, "is_authenticated", False) else None
        entry = AuditEntry(
            seq=head.seq + 1,
            at=timezone.now(),
            actor=actor_obj,
            actor_label=actor_obj.email if actor_obj else (str(actor) if actor else "system"),
            action=action,
            object_type=object_type,
            object_id=object_id,
            data=data or {},
            prev_hash=head.hash,
        )
        # Round-trip the data through JSON now, so the hash is computed over exactly what
        # the database will hand back when the chain is verified.
        entry.data = _json_roundtrip(entry.data)
        entry.hash = entry.compute_hash()
        entry.save()
        AuditHead.objects.filter(id=1).update(seq=entry.seq, hash=entry.hash)
    return entry


def _json_roundtrip(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@dataclass
class ChainReport:
    checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


def audit_verify(*, batch_size: int = 2000, progress: Any = None) -> ChainReport:
    """Walk the chain in order up to its head; stop at the first entry that does not verify.

    The head is read before the walk: the log is written while an operator verifies it,
    and an entry appended after the walk but before a head read at the end would look
    like a missing entry. Entries appended during the walk are left to the next run.
    """
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _iter_entries(batch_size, up_to=head_seq):
        if entry.seq != expected_seq:
            return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainReport(checked, entry.seq, "previous-hash link does not match")
        if entry.compute_hash() != entry.hash:
            return ChainReport(checked, entry.seq, "content does not match its hash")
        prev = entry.hash
        expected_seq += 1
        checked += 1
        if progress and checked % batch_size == 0:
            progress(checked)
    if checked < head_seq:
        return ChainReport(checked, expected_seq, f"entry {expected_seq} is missing")
    if prev != head_hash:
        # Only a rewrite that recomputed the last entry's own hash gets this far.
        return ChainReport(checked, head_seq, "the last entry does not match the chain head")
    # audit_record moves the head in the entry's own transaction, so an entry past the
    # head was not written by it. The entries are read before the head: any entry seen
    # then has its head move already committed, so a concurrent append is not flagged.
    last_seq = AuditEntry.objects.aggregate(last=models.Max("seq"))["last"] or 0
    head_seq_now = AuditHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    if last_seq > head_seq_now:
        return ChainReport(
            checked, head_seq_now + 1, "entries after the chain head were not written by the log"
        )
    return ChainReport(checked, None, "")


def _iter_entries(batch_size: int, up_to: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(seq__gt=last, seq__lte=up_to).order_by("seq")[:batch_size]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
