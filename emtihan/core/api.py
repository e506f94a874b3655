"""Turning domain errors into API responses, the same way for every router."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from ninja import Schema
from ninja.errors import HttpError
from pydantic import Field

from .errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from .ids import MAX_ID

T = TypeVar("T")

# Every id in a path, query or body (see core/ids.py): out of range is a 422, never a
# database error. ``Whole``: a counter compared with a stored one (a revision, a version).
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Whole = Annotated[int, Field(ge=0, le=MAX_ID)]


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = {}


error_responses: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 409: ErrorOut}


class ApiDomainError(HttpError):
    def __init__(
        self, status_code: int, message: str, errors: dict[str, list[str]] | None = None
    ) -> None:
        super().__init__(status_code, message)
        self.errors = errors or {}


def raise_as_http(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Call a service; turn its DomainError into 400 (validation), 403, 404 or 409 (state)."""
    try:
        return func(*args, **kwargs)
    except ValidationFailed as exc:
        raise ApiDomainError(400, exc.message, exc.errors) from exc
    except PermissionDeniedError as exc:
        raise ApiDomainError(403, exc.message) from exc
    except NotFoundError as exc:
        raise ApiDomainError(404, exc.message) from exc
    except DomainError as exc:
        raise ApiDomainError(409, exc.message) from exc
