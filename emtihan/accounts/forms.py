from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emtihan.core.forms import ServiceErrorsMixin

from .models import User, time_zone_names


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _(
            "Wrong e-mail or password. Students: your first password is your student ID."
        ),
        "inactive": _("This account is disabled. Contact the registrar's office."),
    }

    def clean_username(self) -> str:
        # E-mails are compared without case, so the login throttle (which counts failures
        # per e-mail) must see one spelling: otherwise every change of case would get a
        # fresh set of attempts.
        return self.cleaned_data["username"].lower()

    def get_invalid_login_error(self) -> ValidationError:
        refusal = getattr(self.request, "login_refusal", None)
        if refusal is not None:
            return ValidationError(refusal.message(), code="throttled")
        return super().get_invalid_login_error()


def time_zone_choices() -> list[tuple[str, str]]:
    university = _("The university's time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
    return [("", university)] + [(name, name) for name in sorted(time_zone_names())]


class TimeZoneForm(ServiceErrorsMixin, forms.Form):
    # A plain text field shown as a list: the service decides what is a known zone, so a
    # value the list lacks (a device's zone, posted by "Use this device's time zone")
    # gets the service's message.
    time_zone = forms.CharField(label=_("Time zone"), required=False, max_length=64)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget = forms.Select(choices=time_zone_choices())


class PasswordResetForm(auth_forms.PasswordResetForm):
    def get_users(self, email):
        # Django's own form skips accounts without a usable password. Here those are the
        # teachers the registry import created: "Forgot password" is how they choose
        # their first one (docs/REGISTRY-IMPORT.md), so every active account gets the mail.
        return User.objects.filter(email__iexact=email, is_active=True)


class SetPasswordForm(auth_forms.SetPasswordForm):
    def save(self, commit: bool = True):
        # The person chose this password: it is no longer the one the registry set.
        self.user.must_change_password = False
        return super().save(commit=commit)
