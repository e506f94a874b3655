"""Admin: the audit log, to look things up. It is append-only: nobody adds, changes or
deletes an entry here (``audit_record`` is the only writer)."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("chain", "seq", "at", "action", "object_label", "actor_label")
    list_filter = ("action",)
    search_fields = ("=chain", "action", "object_type", "=object_id", "actor_label")
    # Newest first across the chains (``seq`` counts within one chain).
    ordering = ("-pk",)
    # The log only grows: counting all of it on every page is the slowest query here.
    show_full_result_count = False
    fields = (
        "chain",
        "seq",
        "at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "object_id",
        "data_pretty",
        "prev_hash",
        "hash",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("object"), ordering="object_type")
    def object_label(self, entry: AuditEntry) -> str:
        return f"{entry.object_type}:{entry.object_id}"

    @admin.display(description=_("data"))
    def data_pretty(self, entry: AuditEntry) -> str:
        text = json.dumps(entry.data, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html("<pre>{}</pre>", text)
