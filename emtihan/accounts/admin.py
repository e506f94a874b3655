"""Admin: people (log in by e-mail, roles are groups) and API tokens.

A token's key is shown once, in a message right after it is issued; only its SHA-256 is
stored, so the admin can neither show it again nor change it.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .forms import time_zone_choices
from .models import ApiToken, ThrottleEvent, User


def _clean_unique_email(form: forms.ModelForm) -> str:
    """E-mails are stored lower-case and compared without case: login looks them up with
    ``iexact``, so two rows differing only in case would make that lookup ambiguous."""
    email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk is not None:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise ValidationError(form.instance.unique_error_message(User, ["email"]))
    return email


def _language_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("interface language"),
        choices=[("", "---------"), *settings.LANGUAGES],
        required=False,
    )


class UserCreationForm(auth_forms.BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")

    def clean_email(self) -> str:
        return _clean_unique_email(self)


class UserChangeForm(auth_forms.UserChangeForm):
    language = _language_field()
    time_zone = forms.ChoiceField(label=_("time zone"), choices=time_zone_choices, required=False)

    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return _clean_unique_email(self)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "language", "time_zone")}),
        (
            _("Access"),
            {"fields": ("is_active", "is_staff", "groups", "must_change_password")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = (
        "email",
        "full_name",
        "roles",
        "is_staff",
        "is_active",
        "must_change_password",
        "last_login",
    )
    list_filter = ("groups", "is_staff", "is_active", "must_change_password")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    filter_horizontal = ("groups",)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        # Sorted in Python: the prefetched groups are reused only without a new query.
        return ", ".join(sorted(g.name for g in user.groups.all()))


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__email", "user__full_name")
    autocomplete_fields = ("user",)
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", "name")
        return ("user", "name", "prefix", "key_hash", "created_at", "last_used_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # A token stays with the person it was issued to; issue a new one instead.
        return ("user", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        token, key = ApiToken.issue(user=obj.user, name=obj.name)
        # The admin goes on with ``obj`` (change log, redirect): make it the issued row.
        obj.pk = token.pk
        obj.key_hash = token.key_hash
        obj.prefix = token.prefix
        obj.created_at = token.created_at
        messages.warning(
            request,
            gettext(
                "The new API token for %(user)s is: %(key)s. Copy it now: it is not stored "
                "and will not be shown again."
            )
            % {"user": obj.user.email, "key": key},
        )


@admin.register(ThrottleEvent)
class ThrottleEventAdmin(admin.ModelAdmin):
    """Failed log-ins and "Forgot password" mails the throttles count. Deleting an e-mail's
    (or an address's) failed log-ins unlocks it at once (docs/OPERATIONS.md)."""

    list_display = ("at", "kind", "account", "ip", "device")
    list_filter = ("kind",)
    search_fields = ("account", "ip")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
