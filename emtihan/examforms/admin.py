"""Admin: Table 1 (one set of rules per academic year), instructions, and the choices.

Choices are view-only here. Every change to a choice must bump its revision, record a
transition and write an audit entry, and only the services do all three; an edit in the
admin would let an approved choice change under the head's approval.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from .models import ChoiceTransition, ExamFormChoice, ExamRule, Instruction

LABEL_SEARCH = ("label_kk", "label_ru", "label_en")


@admin.register(ExamRule)
class ExamRuleAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "academic_year",
        "platform",
        "form",
        "exam_type",
        "additional_info",
        "medical_only",
        "is_active",
    )
    list_display_links = ("number",)
    list_editable = ("is_active",)
    list_filter = ("academic_year", "platform", "is_active")
    search_fields = LABEL_SEARCH
    ordering = ("-academic_year", "number")
    fields = (
        ("academic_year", "number"),
        ("platform", "form", "exam_type"),
        "label_kk",
        "label_ru",
        "label_en",
        ("additional_info", "medical_only", "is_active"),
    )


@admin.register(Instruction)
class InstructionAdmin(admin.ModelAdmin):
    list_display = ("title_kk", "title_ru", "title_en", "platform", "form", "order")
    list_filter = ("platform", "form")
    search_fields = ("title_kk", "title_ru", "title_en")
    ordering = ("platform", "form", "order")
    # Video links without a scheme are meant as https (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ChoiceTransitionInline(admin.TabularInline):
    model = ChoiceTransition
    extra = 0
    can_delete = False
    fields = ("at", "from_status", "to_status", "actor", "revision", "comment", "summary")
    readonly_fields = fields
    ordering = ("at", "id")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExamFormChoice)
class ExamFormChoiceAdmin(admin.ModelAdmin):
    list_display = (
        "discipline",
        "group",
        "period",
        "platform",
        "form",
        "exam_type",
        "status",
        "revision",
        "updated_at",
    )
    list_filter = ("status", "period", "platform")
    list_select_related = ("discipline", "group", "period")
    search_fields = (
        "discipline__code",
        "discipline__name_kk",
        "discipline__name_ru",
        "discipline__name_en",
        "group__code",
    )
    fields = (
        ("discipline", "group", "period"),
        ("platform", "form", "exam_type"),
        "additional_info",
        "programme",
        ("status", "revision"),
        "head_comment",
        ("updated_by", "updated_at"),
        "submitted_at",
        ("decided_by", "decided_at"),
    )
    readonly_fields = (
        "discipline",
        "group",
        "period",
        "platform",
        "form",
        "exam_type",
        "additional_info",
        "programme",
        "status",
        "revision",
        "head_comment",
        "updated_by",
        "updated_at",
        "submitted_at",
        "decided_by",
        "decided_at",
    )
    inlines = (ChoiceTransitionInline,)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
