"""An append-only, hash-chained audit log, in several chains.

Each entry's ``hash`` is SHA-256 over the previous entry's hash and the entry's own
canonical content, so changing or deleting any past row breaks every hash after it;
``manage.py audit_verify`` walks every chain and reports the first break in each.

Why several chains. One chain with one head row made every audited write in the building
queue on that row: the head is locked from the append until the writer's transaction
commits, so at 9:00 every exam's starts, sends and finishes waited for each other. An
exam's events only need to be ordered against the same exam's events, so each exam has its
own chain (``exam:<id>``: the exam, its questions and pools, its attempts and answers, its
proctoring sessions, its marks and release) with its own head row; two exams never wait on
each other. Everything else (exam-form choices, programme uploads, registry imports, the
opening of each exam's chain) stays in the ``global`` chain.

``audit_record`` names the chain from the object, so callers do not: an exam, or any row
with an ``exam_id`` (attempt, proctoring session, work, question, pool, accommodation,
assignment), goes to its exam's chain, the rest to ``global`` (``chain_of``).

Within a chain nothing is weaker than with one chain: the same previous-hash links, ``seq``
unique per chain, the head locked by each append. Entries of a new chain also hash their
chain's name (so a chain cannot be relabelled as another exam's), and the first entry of
an exam's chain is preceded, in the same transaction, by an ``audit.chain_open`` entry in the
global chain naming it: deleting a whole exam's chain (entries and head) is then a break
too. The entries written before chains existed are the global chain's first entries, hashed
as they always were (``canonical`` leaves the global chain's name out).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64
GLOBAL_CHAIN = "global"
# The global chain's entry that names each chain opened after it.
CHAIN_OPEN = "audit.chain_open"


def exam_chain(exam_id: int) -> str:
    return f"exam:{exam_id}"


def chain_of(obj: models.Model | None) -> str:
    """The chain an entry about ``obj`` belongs to: its exam's, or the global one."""
    if obj is None:
        return GLOBAL_CHAIN
    if obj._meta.label_lower == "exams.exam":
        return exam_chain(obj.pk)
    exam_id = getattr(obj, "exam_id", None)
    return exam_chain(exam_id) if exam_id else GLOBAL_CHAIN


class AppendOnlyError(Exception):
    pass


class AuditEntry(models.Model):
    """One recorded event: who did what to which object, when, with what data; the
    ``seq``-th entry of its ``chain``."""

    chain = models.CharField(_("chain"), max_length=64, default=GLOBAL_CHAIN)
    seq = models.PositiveBigIntegerField(_("sequence"))
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept as text too so the chain still verifies if a user row is ever anonymised.
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    data = models.JSONField(_("data"), default=dict, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_entry_chain_seq")
        ]
        indexes = [models.Index(fields=["object_type", "object_id", "seq"])]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def canonical(self) -> bytes:
        body: dict[str, Any] = {
            "seq": self.seq,
            "at": self.at.isoformat(),
            "actor": self.actor_label,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "data": self.data,
        }
        # The global chain's entries hash as before chains existed, so those rows verify
        # unchanged; any other chain's name is hashed, so an entry cannot change chains.
        if self.chain != GLOBAL_CHAIN:
            body["chain"] = self.chain
        return json.dumps(
            body, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder
        ).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.prev_hash.encode() + self.canonical()).hexdigest()


class AuditHead(models.Model):
    """The tip of one chain: its last entry's ``seq`` and ``hash``.

    Appending locks the chain's row (SELECT ... FOR UPDATE): without the lock two
    concurrent writers would read the same tip and fork the chain with two entries of the
    same seq. The lock is held until the writer commits, which is why there is one row per
    chain and not one for the whole log (module docstring).
    """

    chain = models.CharField(_("chain"), max_length=64, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"{self.chain} {self.seq}:{self.hash[:12]}"
