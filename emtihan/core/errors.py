"""Errors raised by domain services and turned into responses by views and the API.

Views show ``message`` to the person (it is already translated); ``ValidationFailed``
carries one list of messages per form field so a form can show them beside the fields.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was written."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDeniedError(DomainError):
    """The person may not do this (HTTP 403)."""


class NotFoundError(DomainError):
    """The object does not exist, or is not the requester's to see (HTTP 404)."""


class ValidationFailed(DomainError):
    """Input broke one or more rules; ``errors`` maps field names to messages (HTTP 400)."""

    def __init__(self, errors: dict[str, list[str]], message: str | None = None) -> None:
        first = next((msgs[0] for msgs in errors.values() if msgs), "")
        super().__init__(message or first or "Invalid input.")
        self.errors = errors
