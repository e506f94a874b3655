"""The sitting token: a signed, attempt-scoped credential for the exam page's writes.

A steady autosave is one SQL statement (services/answers.py); authenticating it by the
session costs two more round trips (the session's row, then the user's) and, measured at
saturation, 38 % of the workers' Python CPU (docs/BENCHMARKS.md). So the pages and
requests that already authenticated by the session (the exam page, start, resume,
heartbeat) also hand the page a short-lived token, and the page's answer writes present
it in the ``X-Attempt-Token`` header. ``AttemptTokenMiddleware`` checks it without the
database. The security reasoning is in docs/EXAM-SITTING.md ("The sitting token").

What a token is: the attempt's id, the student's user id, their interface language and
time zone, signed with SECRET_KEY (HMAC-SHA256, Django's ``TimestampSigner`` with a salt
of its own) and dated. It is accepted only:
- on the write endpoints of the attempt it names (``TOKEN_PATHS``: the draft, the send,
  a picture, and proctoring's uploads during the sitting) and on its heartbeat while it is
  younger than ``settings.ATTEMPT_TOKEN_RENEW_SECONDS`` (``token_for_path``); never to
  start, read, finish, renew itself or reach anything else;
- younger than ``settings.ATTEMPT_TOKEN_SECONDS`` (5 minutes by default; the page gets a
  fresh one from the first heartbeat, every 30 s, after the token turned
  ``ATTEMPT_TOKEN_RENEW_SECONDS`` old: that heartbeat is the session's);
- with the same CSRF check as the session (the CSRF cookie and the ``X-CSRFToken``
  header; ninja's ``SessionAuth`` still runs and makes it).
Anything else (no token, a bad or stale one, another attempt's) is ignored, and the
request is authenticated by its session as before, so an expired token costs nothing but
the session's reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from emtihan.accounts.models import User

HEADER = "HTTP_X_ATTEMPT_TOKEN"
_SALT = "emtihan.attempts.sitting-token"

# The endpoints a token authenticates: the attempt's answer writes and pictures, the
# proctoring uploads of the sitting (snapshots, events, detections, voice clips), and the
# heartbeat while the token is young (``heartbeat``, below).
TOKEN_PATHS = re.compile(
    r"^/api/v1/(?:attempts/(?P<attempt>[0-9]{1,18})/(?:answers/[0-9]{1,18}/(?:draft|send)|pictures)"
    r"|proctoring/attempts/(?P<proctored>[0-9]{1,18})/(?:snapshots|events|detections|clips)"
    r"|attempts/(?P<heartbeat>[0-9]{1,18})/heartbeat)$"
)


@dataclass(frozen=True)
class Grant:
    """What a valid token says: this user may write to this attempt."""

    attempt_id: int
    user_id: int
    language: str
    time_zone: str

    def user(self) -> User:
        """The user as a model instance that has read nothing: ``pk`` and ``is_active``
        are set from the token, every other field is deferred and loads from the database
        if something asks for it (a send's audit entry reads nothing more than the id)."""
        return User.from_db("default", ["id", "is_active"], [self.user_id, True])


def token_for_path(value: str, path: str) -> Grant | None:
    """The grant of a token presented on ``path``: valid, for the attempt the path names,
    on an endpoint tokens serve (``TOKEN_PATHS``); None for anything else.

    On the heartbeat it must also be younger than ``settings.ATTEMPT_TOKEN_RENEW_SECONDS``:
    the heartbeat is where the page gets a fresh token, which only the session may hand
    out. So a young token's heartbeat is answered with that same token, and once it is
    older the page's next heartbeat goes by its session and gets a new one. A token
    never renews itself, and logout reaches the page within ``ATTEMPT_TOKEN_SECONDS``
    as before, while four heartbeats in five skip the session's reads."""
    match = TOKEN_PATHS.match(path)
    if not match:
        return None
    if match["heartbeat"]:
        renew = settings.ATTEMPT_TOKEN_RENEW_SECONDS
        if renew <= 0:
            return None
        return token_read(value, attempt_id=int(match["heartbeat"]), max_age=renew)
    return token_read(value, attempt_id=int(match["attempt"] or match["proctored"]))


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=_SALT)


def token_issue(*, attempt_id: int, user: User) -> str:
    """A fresh token for the student's own attempt (the caller has authenticated the
    session and checked the ownership)."""
    return _signer().sign_object(
        {"a": attempt_id, "u": user.pk, "l": user.language or "", "z": user.time_zone or ""},
        compress=False,
    )


def token_read(value: str, *, attempt_id: int, max_age: int | None = None) -> Grant | None:
    """The grant of a valid token for this attempt, younger than ``max_age`` seconds
    (``settings.ATTEMPT_TOKEN_SECONDS`` unless a shorter age is asked for); None for
    anything else."""
    if not value or len(value) > 400:
        return None
    age = (
        settings.ATTEMPT_TOKEN_SECONDS
        if max_age is None
        else min(max_age, settings.ATTEMPT_TOKEN_SECONDS)
    )
    try:
        data = _signer().unsign_object(value, max_age=age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    attempt, user, language, zone = (data.get(k) for k in ("a", "u", "l", "z"))
    if attempt != attempt_id or not isinstance(user, int) or isinstance(user, bool):
        return None
    return Grant(
        attempt_id=attempt_id,
        user_id=user,
        language=language if isinstance(language, str) else "",
        time_zone=zone if isinstance(zone, str) else "",
    )
