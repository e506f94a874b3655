"""Administration of the university's registry data.

Most of it arrives through the registry import; the admin is for looking things up,
fixing a single row, and for what the registry does not export (academic periods).
Registry imports are read-only here: they are started from the upload page.
"""

from __future__ import annotations

from typing import cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from emtihan.accounts.models import User

from .models import (
    AcademicPeriod,
    Department,
    Discipline,
    Faculty,
    FacultyProctor,
    ImportJob,
    Student,
    StudyGroup,
    Teacher,
    TeachingAssignment,
)
from .services import import_job_rerun

NAME_SEARCH = ("code", "name_kk", "name_ru", "name_en")


@admin.register(Faculty)
class FacultyAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "name_ru", "name_en", "is_medical")
    list_filter = ("is_medical",)
    search_fields = NAME_SEARCH


@admin.register(FacultyProctor)
class FacultyProctorAdmin(admin.ModelAdmin):
    """Proctors of every exam a faculty's students sit (also on ``/exams/assignments/``)."""

    list_display = ("user", "faculty", "created_by", "created_at")
    list_filter = ("faculty",)
    list_select_related = ("user", "faculty", "created_by")
    search_fields = ("user__email", "user__full_name", "faculty__code")
    readonly_fields = ("created_by", "created_at")

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "faculty", "head")
    list_filter = ("faculty",)
    list_select_related = ("faculty", "head")
    search_fields = (*NAME_SEARCH, "head__email", "head__full_name")
    raw_id_fields = ("head",)


@admin.register(Discipline)
class DisciplineAdmin(admin.ModelAdmin):
    list_display = ("code", "name_kk", "department", "credits")
    list_filter = ("department__faculty", "department")
    list_select_related = ("department",)
    search_fields = NAME_SEARCH


@admin.register(StudyGroup)
class StudyGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "faculty", "study_form", "language", "year")
    list_filter = ("faculty", "study_form", "language", "year")
    list_select_related = ("faculty",)
    search_fields = ("code",)


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ("student_id", "user", "email", "group", "is_active", "has_photo")
    list_filter = ("is_active", "group__faculty", "group__study_form")
    list_select_related = ("user", "group")
    search_fields = ("student_id", "user__email", "user__full_name", "group__code")
    raw_id_fields = ("user",)
    autocomplete_fields = ("group",)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj: Student) -> str:
        return obj.user.email

    @admin.display(description=_("photo"), boolean=True)
    def has_photo(self, obj: Student) -> bool:
        return bool(obj.photo)


@admin.register(Teacher)
class TeacherAdmin(admin.ModelAdmin):
    list_display = ("staff_id", "user", "email", "department")
    list_filter = ("department__faculty", "department")
    list_select_related = ("user", "department")
    search_fields = ("staff_id", "user__email", "user__full_name")
    raw_id_fields = ("user",)
    autocomplete_fields = ("department",)

    @admin.display(description=_("e-mail"), ordering="user__email")
    def email(self, obj: Teacher) -> str:
        return obj.user.email


@admin.register(AcademicPeriod)
class AcademicPeriodAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "title_kk",
        "title_ru",
        "title_en",
        "academic_year",
        "starts_on",
        "ends_on",
        "is_current",
    )
    list_filter = ("academic_year", "is_current")
    search_fields = ("code", "title_kk", "title_ru", "title_en", "academic_year")


@admin.register(TeachingAssignment)
class TeachingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("teacher", "discipline", "group", "period")
    list_filter = ("period", "discipline__department")
    list_select_related = ("teacher__user", "discipline", "group", "period")
    search_fields = (
        "teacher__staff_id",
        "teacher__user__email",
        "teacher__user__full_name",
        "discipline__code",
        "group__code",
    )
    autocomplete_fields = ("teacher", "discipline", "group")


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Read-only: a job is the record of an upload; new ones start from the upload page,
    linked from the top of the list."""

    change_list_template = "university/admin/importjob_change_list.html"
    list_display = ("id", "created_at", "created_by", "file_names", "status", "partial")
    list_filter = ("status", "partial")
    list_select_related = ("created_by",)
    search_fields = ("created_by__email",)
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in ImportJob._meta.fields]
    actions = ["run_again"]

    @admin.display(description=_("files"))
    def file_names(self, obj: ImportJob) -> str:
        return ", ".join(f.get("name", "") for f in obj.files)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ImportJob | None = None) -> bool:
        return False

    @admin.action(description=_("Run the selected imports again (same files, as new imports)"))
    def run_again(self, request: HttpRequest, queryset: QuerySet[ImportJob]) -> None:
        for job in queryset:
            new = import_job_rerun(job=job, actor=cast(User, request.user))
            self.message_user(
                request,
                _("Import #%(old)s queued again as #%(new)s.") % {"old": job.pk, "new": new.pk},
            )
