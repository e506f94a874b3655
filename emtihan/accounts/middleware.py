"""Forced password change, and the user's saved interface language and time zone.

A request authenticated by a sitting token never reaches these: it goes through the
shorter chain of settings.SITTING_TOKEN_MIDDLEWARE (emtihan/attempts/middleware.py), and
its token carried the language and time zone."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

ERR_CHOOSE_PASSWORD_FIRST = gettext_noop(
    "Choose your own password first: open the password-change page."
)


class ForcePasswordChangeMiddleware:
    """With FORCE_PASSWORD_CHANGE on, send users whose password the registry set to the
    password-change page until they choose their own. The JSON API answers a session of
    such a user with 403 instead (a redirect would be lost inside a script); a bearer
    token is not a session and is not affected (request.user is anonymous here)."""

    ALLOWED_PREFIXES = ("/accounts/", "/i18n/", "/static/")

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
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": gettext(ERR_CHOOSE_PASSWORD_FIRST)}, status=403)
            return redirect(reverse("password_change"))
        return self.get_response(request)


def language_to_apply(request, saved: str) -> str | None:
    """The user's saved language, where it wins on this request: no language cookie on
    this device (the person has not picked one here) and a language the site offers."""
    cookie = settings.LANGUAGE_COOKIE_NAME in request.COOKIES
    return saved if saved and not cookie and saved in dict(settings.LANGUAGES) else None


def zone_named(name: str) -> zoneinfo.ZoneInfo | None:
    """The saved time zone; None for none, or one the server's tzdata no longer has."""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class UserLanguageMiddleware:
    """A logged-in user's saved language wins over the browser's Accept-Language on a
    device where they have not picked one yet (no language cookie): a student who chose
    Kazakh at home gets Kazakh in the exam room too. Runs after LocaleMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language = language_to_apply(request, user.language)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Show a logged-in user's dates and times in the time zone they chose (a student
    sitting from abroad), or else in the university's (settings.TIME_ZONE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = zone_named(user.time_zone) if user is not None and user.is_authenticated else None
        if zone is None:
            timezone.deactivate()  # the university's, also for a zone tzdata no longer has
        else:
            timezone.activate(zone)
        return self.get_response(request)
