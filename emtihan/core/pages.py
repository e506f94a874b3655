"""Turning a service's refusal into a page, the same way for every view: the pages'
counterpart of ``core.api.raise_as_http``.

    with service_errors(form) as call:
        exam = services.exam_create(actor=user, choice=choice, **form.values())
    if call.ok:
        return redirect(...)
    return render(...)  # the form again, now showing why

What a refusal becomes:

- ``PermissionDeniedError``: the 403 page (Django's ``PermissionDenied``, with the message);
- ``NotFoundError``: the 404 page;
- ``ValidationFailed``: with a form, each message beside the field it names (above the form
  for a field the form does not show); with a request, each message flashed at the top of
  the next page;
- any other ``DomainError`` (the state forbids it): above the form, or flashed.

Services own their transactions, so nothing was written when they refused. With no target
(``service_errors()``) the view shows ``call.message`` itself (a dialog's one line).
Anything that is not a ``DomainError`` is a bug and propagates (a 500 and a log entry).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from .errors import DomainError, NotFoundError, PermissionDeniedError, ValidationFailed
from .forms import ShowsErrors


@dataclass
class ServiceCall:
    """How the service call inside ``service_errors`` went."""

    error: DomainError | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def message(self) -> str:
        """Every message of the refusal, in one line ("" when it went through)."""
        return " ".join(m for msgs in self.errors.values() for m in msgs)


@contextmanager
def service_errors(
    target: ShowsErrors | HttpRequest | None = None,
) -> Iterator[ServiceCall]:
    """Run the block's service call; show a refusal on ``target`` (see the module)."""
    call = ServiceCall()
    try:
        yield call
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        call.error = exc
        if isinstance(exc, ValidationFailed) and exc.errors:
            call.errors = {name: list(msgs) for name, msgs in exc.errors.items()}
        else:
            call.errors = {"__all__": [exc.message]}
        if isinstance(target, HttpRequest):
            for text in (m for msgs in call.errors.values() for m in msgs):
                messages.error(target, text)
        elif isinstance(target, ShowsErrors):
            target.show_errors(call.errors)
