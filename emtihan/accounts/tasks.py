"""Background tasks of the accounts app (django_tasks; `manage.py db_worker` runs them)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.utils import translation
from django_tasks import task


@task()
def password_reset_mail(email: str, language: str) -> None:
    """Mail a "choose a new password" link to the active account(s) of ``email``, if any.

    The link points at SITE_URL, never at the Host header of the request that asked.
    """
    from .forms import PasswordResetForm

    site = urlsplit(settings.SITE_URL)
    with translation.override(language or None):
        form = PasswordResetForm({"email": email})
        if form.is_valid():
            form.save(domain_override=site.netloc, use_https=site.scheme == "https")
