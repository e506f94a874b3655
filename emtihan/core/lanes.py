"""A second, shorter middleware chain for requests that need less than MIDDLEWARE.

Django builds one chain from ``settings.MIDDLEWARE`` and runs every request through all
of it. ``MiddlewareLane`` builds another one, the same way, from a list of its own, around
the same URL resolution and views: a middleware high in MIDDLEWARE can hand a request it
has recognised to a lane instead of to the rest of the main chain. The sitting token's
middleware (emtihan/attempts/middleware.py) does this for the exam page's answer writes,
which need no session, user, messages or static files (docs/ARCHITECTURE.md, "The
sitting token's lane").

Synchronous only, as the WSGI server that serves emtihan.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured, MiddlewareNotUsed
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.http import HttpRequest, HttpResponseBase
from django.utils.module_loading import import_string


class MiddlewareLane(BaseHandler):
    """The chain of ``middleware`` (outermost first, as in MIDDLEWARE) around Django's
    own view handling (URL resolution, view middleware, the view, exception middleware).
    Call it with a request: it returns the response, as the rest of a chain would."""

    def __init__(self, middleware: Sequence[str]) -> None:
        super().__init__()
        self._view_middleware: list[Callable] = []
        self._template_response_middleware: list[Callable] = []
        self._exception_middleware: list[Callable] = []
        # django-stubs leaves out BaseHandler._get_response (the view's handling)
        view_handling = self._get_response  # type: ignore[attr-defined]
        handler: Callable[[HttpRequest], Any] = convert_exception_to_response(view_handling)
        # as BaseHandler.load_middleware, from this list instead of settings.MIDDLEWARE
        for path in reversed(middleware):
            try:
                instance = import_string(path)(handler)
            except MiddlewareNotUsed:
                continue
            if instance is None:
                raise ImproperlyConfigured(f"Middleware factory {path} returned None.")
            if hasattr(instance, "process_view"):
                self._view_middleware.insert(0, instance.process_view)
            if hasattr(instance, "process_template_response"):
                self._template_response_middleware.append(instance.process_template_response)
            if hasattr(instance, "process_exception"):
                self._exception_middleware.append(instance.process_exception)
            handler = convert_exception_to_response(instance)
        self._middleware_chain = handler

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response: HttpResponseBase = self._middleware_chain(request)
        return response
