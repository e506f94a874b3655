"""Writing to and verifying the audit log (its chains: ``models`` module docstring)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from .models import CHAIN_OPEN, GENESIS_HASH, GLOBAL_CHAIN, AuditEntry, AuditHead, chain_of


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain of ``obj`` (its exam's, or the global one), inside the
    caller's transaction if there is one.

    Call it in the same transaction as the change it records: if the change rolls back,
    so does its entry. The chain's head stays locked until that transaction ends, so only
    writers to the same chain wait for each other. A transaction that writes to several
    chains takes the global one first (as opening a chain does), then exams in ``pk`` order
    (``exams.services.choice``), so two of them never deadlock on the heads.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None
    entry = AuditEntry(
        chain=chain_of(obj),
        actor=actor_obj,
        actor_label=actor_obj.email if actor_obj else (str(actor) if actor else "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        # Round-trip the data through JSON now, so the hash is computed over exactly what
        # the database will hand back when the chain is verified.
        data=_json_roundtrip(data or {}),
    )
    with transaction.atomic():
        _append(_locked_head(entry), entry)
    return entry


def _locked_head(entry: AuditEntry) -> AuditHead:
    """The head of ``entry``'s chain, locked; a chain's first entry opens it first."""
    head = AuditHead.objects.select_for_update().filter(chain=entry.chain).first()
    if head is not None:
        return head
    if entry.chain == GLOBAL_CHAIN:
        head, _created = AuditHead.objects.select_for_update().get_or_create(chain=GLOBAL_CHAIN)
        return head
    # Openers of a chain queue on the global head, and the one after the first finds the
    # chain there once the first commits: no two open the same chain.
    global_head = _locked_head(AuditEntry(chain=GLOBAL_CHAIN))
    head = AuditHead.objects.select_for_update().filter(chain=entry.chain).first()
    if head is not None:
        return head
    opening = AuditEntry(
        chain=GLOBAL_CHAIN,
        actor=entry.actor,
        actor_label=entry.actor_label,
        action=CHAIN_OPEN,
        object_type="audit.chain",
        object_id=entry.chain,
        data={"for": entry.action},
    )
    _append(global_head, opening)
    return AuditHead.objects.create(chain=entry.chain)


def _append(head: AuditHead, entry: AuditEntry) -> None:
    entry.seq = head.seq + 1
    entry.at = timezone.now()
    entry.prev_hash = head.hash
    entry.hash = entry.compute_hash()
    entry.save()
    AuditHead.objects.filter(chain=head.chain).update(seq=entry.seq, hash=entry.hash)
    head.seq, head.hash = entry.seq, entry.hash


def _json_roundtrip(data: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@dataclass
class ChainReport:
    chain: str
    checked: int
    first_bad_seq: int | None
    reason: str

    @property
    def ok(self) -> bool:
        return self.first_bad_seq is None


@dataclass
class AuditReport:
    """Every chain's report; ``first_bad_seq`` and ``reason`` are the first broken one's
    (the global chain first, then the others by name)."""

    chains: list[ChainReport] = field(default_factory=list)

    @property
    def checked(self) -> int:
        return sum(c.checked for c in self.chains)

    @property
    def breaks(self) -> list[ChainReport]:
        return [c for c in self.chains if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.breaks

    @property
    def first_bad_seq(self) -> int | None:
        return self.breaks[0].first_bad_seq if self.breaks else None

    @property
    def reason(self) -> str:
        return self.breaks[0].reason if self.breaks else ""


def audit_verify(
    *, batch_size: int = 2000, progress: Callable[[int], Any] | None = None
) -> AuditReport:
    """Walk every chain in order up to its head; stop each at its first entry that does
    not verify. ``progress`` is told the number of entries checked every ``batch_size``.

    The heads are read before the walk, all in one query: the log is written while an
    operator verifies it, and an entry appended after the walk but before a head read at
    the end would look like a missing entry. Entries appended during the walk, and chains
    opened during it, are left to the next run.
    """
    heads = {h.chain: (h.seq, h.hash) for h in AuditHead.objects.all()}
    counted = _Counter(batch_size, progress)
    reports: dict[str, ChainReport] = {}
    opened: set[str] = set()
    for chain in _in_order(heads):
        head_seq, head_hash = heads[chain]
        reports[chain] = _verify_chain(chain, head_seq, head_hash, batch_size, counted, opened)
    if GLOBAL_CHAIN not in reports or reports[GLOBAL_CHAIN].ok:
        # Past a break in the global chain the openings are not known: left until mended.
        _check_openings(reports, heads=set(heads), opened=opened)
    _check_nothing_past_the_heads(reports)
    return AuditReport(chains=[reports[chain] for chain in _in_order(reports)])


def _in_order(chains: Iterable[str]) -> list[str]:
    """The global chain first, then the others by name."""
    return sorted(chains, key=lambda chain: (chain != GLOBAL_CHAIN, chain))


def _check_openings(reports: dict[str, ChainReport], *, heads: set[str], opened: set[str]) -> None:
    """Each chain but the global one was opened in the global chain, and each chain opened
    there still has its head. A chain's opening and its head are committed together and
    the heads were read in one query, so a chain opened during the walk is neither."""
    for chain in heads - opened - {GLOBAL_CHAIN}:
        if reports[chain].ok:
            reports[chain] = ChainReport(
                chain, reports[chain].checked, 1, "the chain was not opened in the global chain"
            )
    for chain in opened - heads:
        reports[chain] = ChainReport(chain, 0, 1, "the chain opened in the global chain is gone")


def _check_nothing_past_the_heads(reports: dict[str, ChainReport]) -> None:
    """audit_record moves the head in the entry's own transaction, so an entry past its
    chain's head was not written by it. The entries are read before the heads: any entry
    seen then has its head move already committed, so a concurrent append is not flagged."""
    lasts = list(
        AuditEntry.objects.values("chain")
        .annotate(last=models.Max("seq"))
        .values_list("chain", "last")
    )
    heads_now = dict(AuditHead.objects.values_list("chain", "seq"))
    for chain, last in lasts:
        head_seq_now = heads_now.get(chain, 0)
        report = reports.get(chain)
        if last > head_seq_now and (report is None or report.ok):
            reports[chain] = ChainReport(
                chain,
                report.checked if report else 0,
                head_seq_now + 1,
                "entries after the chain head were not written by the log",
            )


class _Counter:
    def __init__(self, every: int, progress: Callable[[int], Any] | None) -> None:
        self.every, self.progress, self.n = every, progress, 0

    def add(self) -> None:
        self.n += 1
        if self.progress and self.n % self.every == 0:
            self.progress(self.n)


def _verify_chain(
    chain: str, head_seq: int, head_hash: str, batch_size: int, counted: _Counter, opened: set[str]
) -> ChainReport:
    prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for entry in _iter_entries(chain, batch_size, up_to=head_seq):
        if entry.seq != expected_seq:
            return ChainReport(chain, checked, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            return ChainReport(chain, checked, entry.seq, "previous-hash link does not match")
        if entry.compute_hash() != entry.hash:
            return ChainReport(chain, checked, entry.seq, "content does not match its hash")
        if entry.action == CHAIN_OPEN and chain == GLOBAL_CHAIN:
            opened.add(entry.object_id)
        prev = entry.hash
        expected_seq += 1
        checked += 1
        counted.add()
    if checked < head_seq:
        return ChainReport(chain, checked, expected_seq, f"entry {expected_seq} is missing")
    if prev != head_hash:
        # Only a rewrite that recomputed the last entry's own hash gets this far.
        return ChainReport(chain, checked, head_seq, "the last entry does not match the chain head")
    return ChainReport(chain, checked, None, "")


def _iter_entries(chain: str, batch_size: int, up_to: int) -> Iterator[AuditEntry]:
    last = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(chain=chain, seq__gt=last, seq__lte=up_to).order_by("seq")[
                :batch_size
            ]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
