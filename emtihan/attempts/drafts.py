"""A decision form the service refused is offered again as the proctor wrote it: the
view keeps the posted choice and comment in the session, and the page the proctor is
sent back to (a list of sittings, or the review page) takes it once."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .models import DECISION_COMMENT_MAX_LENGTH

SESSION_KEY = "attempts.decision_draft"


def keep(request: HttpRequest, *, attempt_id: int) -> None:
    request.session[SESSION_KEY] = {
        "attempt": attempt_id,
        "choice": request.POST.get("choice", "")[:64],
        "comment": request.POST.get("comment", "")[:DECISION_COMMENT_MAX_LENGTH],
    }


def take(request: HttpRequest) -> dict[str, Any] | None:
    """The refused form, once (``{"attempt", "choice", "comment"}``), or None."""
    draft = request.session.pop(SESSION_KEY, None)
    return draft if isinstance(draft, dict) else None
