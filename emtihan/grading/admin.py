"""Admin: the grading scale (a university edits its bands here). Works and marks are
read-only here: marks change through the marking page, which audits them."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet

from .models import GradeBand, GradeScale
from .scale import check_bands


class GradeBandFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """The bands must cover 0..100 %, each whole percentage once (``check_bands``)."""
        super().clean()
        bands = [
            (form.cleaned_data["min_percent"], form.cleaned_data["max_percent"])
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        problems = check_bands(bands)
        if problems:
            raise ValidationError("; ".join(problems[:5]))


class GradeBandInline(admin.TabularInline):
    model = GradeBand
    formset = GradeBandFormSet
    extra = 0


@admin.register(GradeScale)
class GradeScaleAdmin(admin.ModelAdmin):
    list_display = ("name", "is_default")
    inlines = [GradeBandInline]
