from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


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
        # E-mails are compared without case, so the login throttle (django-axes, which
        # counts failures per username) must see one spelling: otherwise every change of
        # case would get a fresh set of attempts.
        return self.cleaned_data["username"].lower()
