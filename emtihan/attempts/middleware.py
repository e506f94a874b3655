"""Authenticates the exam page's answer writes by their sitting token (tokens.py)."""

from __future__ import annotations

from contextlib import nullcontext

from django.utils import timezone, translation

from emtihan.accounts.middleware import language_to_apply, zone_named

from .tokens import HEADER, TOKEN_PATHS, token_read


class AttemptTokenMiddleware:
    """On the endpoints a sitting token serves, a valid token for the attempt in the path
    stands in for the session: ``request.user`` becomes the token's user without reading
    the session or the user's row, and the user's saved language and time zone come from
    the token. ``request.user_from_token`` tells the accounts middleware below (which
    would read the user's row for the same three things) that there is nothing to read:
    a token is only issued to a user who may sit, so the forced password change does not
    apply. Placed right after AuthenticationMiddleware. Without a valid token nothing
    changes and the session authenticates the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request.META.get(HEADER)
        if value:
            match = TOKEN_PATHS.match(request.path_info)
            attempt = match and (match["attempt"] or match["proctored"])
            grant = attempt and token_read(value, attempt_id=int(attempt))
            if grant:
                request.user = grant.user()
                request.user_from_token = True
                language = language_to_apply(request, grant.language)
                if language:
                    request.LANGUAGE_CODE = language
                zone = zone_named(grant.time_zone)
                # for this request only (the thread's language and zone come back after it)
                with (
                    translation.override(language, deactivate=False) if language else nullcontext(),
                    timezone.override(zone),
                ):
                    return self.get_response(request)
        return self.get_response(request)
