"""The log-in throttle as the first authentication backend.

Django asks the backends in order; one that raises PermissionDenied stops the others, so a
refused attempt checks no password. Every password form goes through ``authenticate()``
with its request (the log-in page, the admin's), so none escapes the throttle. The
failures are counted by the ``user_login_failed`` receiver (signals.py).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from . import throttle


class LoginThrottleBackend:
    # No get_user(): it authenticates nobody, so a session must never name it as the
    # backend that logged its user in (force_login picks the first backend with one).

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or username is None:
            return None
        refusal = throttle.login_refusal(request=request, account=username)
        if refusal is not None:
            # Read by the log-in form (its message) and by the failure receiver (which
            # does not count a refused attempt).
            request.login_refusal = refusal
            raise PermissionDenied
        return None
