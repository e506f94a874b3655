"""API authentication: a bearer token for integrations, the session for the browser."""

from __future__ import annotations

from django.utils import timezone
from ninja.security import HttpBearer, SessionAuth

from .models import ApiToken


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        found = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=ApiToken.hash_key(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
        request.user = found.user
        return found.user


class SessionAuthCSRF(SessionAuth):
    """Session cookie auth; ninja's SessionAuth enforces CSRF on unsafe methods."""
