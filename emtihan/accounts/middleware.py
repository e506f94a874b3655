"""Forced password change for accounts whose password the registry set."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class ForcePasswordChangeMiddleware:
    """With FORCE_PASSWORD_CHANGE on, send users whose password the registry set to the
    password-change page until they choose their own."""

    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/api/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.FORCE_PASSWORD_CHANGE
            and user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(self.ALLOWED_PREFIXES)
        ):
            return redirect(reverse("password_change"))
        return self.get_response(request)
