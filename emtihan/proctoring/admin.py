"""Admin: proctoring sessions and flags, read-only, for looking things up.

Every change goes through the services (consent, identity decisions, retention), which
check the policy and write the audit log; the admin changes nothing.
"""

from django.contrib import admin

from .models import Flag, ProctoringSession


class ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProctoringSession)
class ProctoringSessionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("exam", "student", "consent_at", "device_ok", "identity_status", "purged_at")
    list_filter = ("identity_status",)
    search_fields = ("student__student_id", "student__user__email", "exam__title")
    exclude = ("reference_embedding",)


@admin.register(Flag)
class FlagAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("attempt", "kind", "started_at", "ended_at", "metric", "value", "threshold")
    list_filter = ("kind", "status")
