"""Form helpers every app uses."""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class ShowsErrors(Protocol):
    """A form that can show a service's ``ValidationFailed.errors`` (``core.pages``)."""

    def show_errors(self, errors: dict[str, list[str]]) -> None: ...


class ServiceErrorsMixin:
    """Show a service's ``ValidationFailed.errors`` beside the fields they name; a message
    for a field the form does not show (unknown or hidden) goes above the form."""

    def show_errors(self, errors: dict[str, list[str]]) -> None:
        form: Any = self
        for name, messages in errors.items():
            field = form.fields.get(name)
            target = name if field is not None and not field.widget.is_hidden else None
            for message in messages:
                form.add_error(target, message)
