"""Authenticates the exam page's answer writes by their sitting token (tokens.py)."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation

from emtihan.accounts.middleware import language_to_apply, zone_named
from emtihan.core.lanes import MiddlewareLane

from .tokens import HEADER, token_for_path


class AttemptTokenMiddleware:
    """On the endpoints a sitting token serves, a valid token for the attempt in the path
    stands in for the session: ``request.user`` becomes the token's user without reading
    the session or the user's row, and the request's language and time zone come from the
    token. Such a request then goes through the short chain of
    ``settings.SITTING_TOKEN_MIDDLEWARE`` (the response headers: security, CSP, framing)
    instead of the rest of MIDDLEWARE: sessions, messages, static files, the user's
    language and time zone, and the forced password change (a token is only issued to a
    user who may sit) have nothing to do for it. The CSRF check is ninja's
    (``SessionAuthCSRF``), in the view, as for every API request.

    Placed right after RequestBodyDrainMiddleware. Without a valid token nothing changes:
    the request goes on through MIDDLEWARE and the session authenticates it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.lane = MiddlewareLane(settings.SITTING_TOKEN_MIDDLEWARE)

    def __call__(self, request):
        value = request.META.get(HEADER)
        if not value:
            return self.get_response(request)
        grant = token_for_path(value, request.path_info)
        if not grant:
            return self.get_response(request)
        request.user = grant.user()
        # The heartbeat answers with the token it came with (it renews none: api._token).
        request.sitting_token = value
        # The token's language where it wins (no language cookie on this device), else the
        # device's choice as LocaleMiddleware makes it; for this request only: the
        # thread's language and zone come back after it.
        language = language_to_apply(request, grant.language)
        if not language:
            language = translation.get_language_from_request(request)
        request.LANGUAGE_CODE = language
        with (
            translation.override(language, deactivate=False),
            timezone.override(zone_named(grant.time_zone)),
        ):
            return self.lane(request)
