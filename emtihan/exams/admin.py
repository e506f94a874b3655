"""Admin: proctor and grader assignments of single exams (the registrar also has a page
for them, ``/exams/assignments/``). Exams themselves are edited by their teachers on
their own pages, where the rules are checked."""

from __future__ import annotations

from django.contrib import admin

from .models import ExamGrader, ExamProctor


class _ExamAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "exam", "created_by", "created_at")
    list_select_related = ("user", "exam", "created_by")
    search_fields = ("user__email", "user__full_name", "exam__title")
    raw_id_fields = ("exam",)
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(ExamProctor)
class ExamProctorAdmin(_ExamAssignmentAdmin):
    pass


@admin.register(ExamGrader)
class ExamGraderAdmin(_ExamAssignmentAdmin):
    pass
