"""Admin: materials with their versions, for looking up and fixing a title.

Uploads go through ``services.material_upload`` (type sniffing, size limit, audit), so
the admin neither adds materials nor adds, changes or deletes versions.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Material, MaterialVersion


class MaterialVersionInline(admin.TabularInline):
    model = MaterialVersion
    extra = 0
    can_delete = False
    fields = ("number", "download", "document_type", "size", "sha256", "uploaded_by", "uploaded_at")
    readonly_fields = (
        "number",
        "download",
        "document_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    )
    ordering = ["-number"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, version: MaterialVersion) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            reverse("umkd:download", args=[version.pk]),
            version.original_name,
        )


@admin.register(Material)
class MaterialAdmin(admin.ModelAdmin):
    list_display = ["title", "discipline", "section", "created_by", "created_at"]
    list_filter = ["section", "discipline__department"]
    search_fields = [
        "title",
        "discipline__code",
        "discipline__name_kk",
        "discipline__name_ru",
        "discipline__name_en",
    ]
    list_select_related = ["discipline", "created_by"]
    readonly_fields = ["discipline", "section", "created_by", "created_at"]
    fields = ["discipline", "section", "title", "created_by", "created_at"]
    inlines = [MaterialVersionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
