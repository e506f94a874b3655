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
    """An error: ``detail`` for the person, ``errors`` (on a 400) one list of messages per
    input field."""

    detail: str
    errors: dict[str, list[str]] = {}


class ValidationErrorOut(Schema):
    """422: the request does not match this schema (a missing or mistyped field, an id out
    of range). django-ninja's answer: each item names the field (``loc``) and the fault."""

    detail: list[dict[str, Any]]


_ERROR_BODIES: dict[int, Any] = {
    400: ErrorOut,  # a rule of the service refused the input; ``errors`` says where
    401: ErrorOut,  # no valid API token or session
    403: ErrorOut,  # the caller may not do this (or a session request without its CSRF token)
    404: ErrorOut,  # no such object, or one the caller may not see
    409: ErrorOut,  # the object's state forbids it now (or a stale revision)
    410: ErrorOut,  # the attempt has ended
    422: ValidationErrorOut,
}


def errors(*codes: int) -> dict[int, Any]:
    """The error answers an operation documents, each with its body. Every operation needs
    a token or a session, so 401 is always among them."""
    return {code: _ERROR_BODIES[code] for code in sorted({401, *codes})}


# The common set of an operation that takes input and calls a service.
error_responses: dict[int, Any] = errors(400, 403, 404, 409, 422)


def limit(**json_schema: Any) -> Any:
    """A limit the service itself enforces (answering 400 with its own, translated message),
    written into the OpenAPI schema so that clients see it: ``maxLength``, ``enum``,
    ``pattern``, ``minimum``/``maximum``."""
    return Field(json_schema_extra=json_schema)


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
