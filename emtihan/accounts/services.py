"""Writes on a person's own account."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from emtihan.core.errors import ValidationFailed

from . import throttle
from .models import User, time_zone_names
from .tasks import password_reset_mail

ERR_UNKNOWN_TIME_ZONE = gettext_noop("“%(zone)s” is not a time zone this server knows.")


def user_time_zone_set(*, user: User, time_zone: str) -> User:
    """Show the person times in ``time_zone``; an empty one means the university's."""
    time_zone = time_zone.strip()
    if time_zone and time_zone not in time_zone_names():
        message = _(ERR_UNKNOWN_TIME_ZONE) % {"zone": time_zone[:64]}
        raise ValidationFailed({"time_zone": [message]})
    if user.time_zone != time_zone:
        user.time_zone = time_zone
        user.save(update_fields=["time_zone"])
    return user


def password_reset_request(*, request: HttpRequest, email: str) -> None:
    """ "Forgot password": queue the mail with a link, unless this e-mail or this address
    asked too often (throttle.password_reset_allowed). The caller answers the same in
    every case, so nobody learns whether the account exists."""
    if throttle.password_reset_allowed(request=request, account=email):
        # The task reads only rows that exist already: nothing to wait for to commit.
        password_reset_mail.enqueue(email=email, language=get_language())
