"""Count failed log-ins and forget one's own failures after a successful log-in."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import throttle


@receiver(user_login_failed, dispatch_uid="emtihan.accounts.login_failed")
def count_failure(sender, credentials, request=None, **kwargs) -> None:
    if request is None or getattr(request, "login_refusal", None) is not None:
        return
    account = credentials.get("username")
    if account:
        throttle.login_failed(request=request, account=account)


@receiver(user_logged_in, dispatch_uid="emtihan.accounts.logged_in")
def clear_own_failures(sender, request, user, **kwargs) -> None:
    if request is not None:
        throttle.login_succeeded(request=request, account=user.email)
