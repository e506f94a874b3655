"""Middleware every request goes through, whatever the app."""

from __future__ import annotations

import functools

import csp.middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.utils import build_policy
from django.conf import settings
from django.core.handlers.wsgi import LimitedStream
from django.core.signals import setting_changed
from django.dispatch import receiver

# Read an unread body in pieces of this size (bytes), so that a large one is not held in
# memory at once.
DRAIN_CHUNK_BYTES = 64 * 1024


class RequestBodyDrainMiddleware:
    """Read whatever the view left unread of the request body before the response goes out.

    Many requests carry a body that nobody reads: the exam page's heartbeat posts ``{}``,
    a refused CSRF check or a 404 never looks at what was posted. Browsers and
    ``http.client`` often send the headers and the body in separate packets, so the
    body's bytes may still be in the socket when the response has gone. Under gunicorn's
    threaded worker (the production shape, docs/OPERATIONS.md) the kept-alive connection
    then goes back to the event loop already readable; the loop hands it to a thread,
    which discards those bytes and then blocks reading the *next* request, which the
    student's page sends only seconds later. A few such connections take every thread of
    a worker, and every other request waits: the 0.5-3 s stalls of the load benchmark
    (docs/BENCHMARKS.md, "Where the stalls came from"). Reading the rest here, while the
    request's own thread still holds the connection, leaves the socket quiet.

    It must be the outermost middleware, so that it runs after every other one answered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        stream = getattr(request, "_stream", None)
        # After ``request.body`` was read the stream is an in-memory copy: nothing to do.
        if isinstance(stream, LimitedStream):
            while stream.read(DRAIN_CHUNK_BYTES):
                pass
        return response


# The response attributes through which a view asks for a policy of its own (django-csp's
# decorators): a response with none of them gets the site's policy as the settings say.
_PER_RESPONSE_POLICY = tuple(
    f"_csp_{part}{suffix}" for part in ("config", "update", "replace") for suffix in ("", "_ro")
)


@functools.cache
def _site_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """For the Content-Security-Policy and its report-only twin: the header, its text for a
    response without a nonce and without a policy of its own as django-csp builds it, the
    response attribute that exempts from it, and the path prefixes it skips. Built once:
    they follow from the settings alone (``setting_changed`` clears this)."""
    return tuple(
        (
            header,
            build_policy(report_only=report_only),
            exempt,
            tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()),
        )
        for header, report_only, exempt, setting in (
            (HEADER, False, "_csp_exempt", "CONTENT_SECURITY_POLICY"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro", "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        )
    )


@receiver(setting_changed)
def _forget_site_policies(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware, without building the same policy twice for every response.

    django-csp turns the settings into the header's text on every response (about a tenth
    of an autosave's Python, measured in process). Most responses carry no nonce (only
    pages with inline scripts or styles ask for one) and no per-view policy: for those the
    text depends on the settings alone and is built once. Everything else goes through
    django-csp's own code unchanged."""

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE_POLICY
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # django-csp leaves Django's debug pages alone
        for header, value, exempt, excluded in _site_policies():
            if (
                value
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = value
        # as django-csp: a nonce asked for after the header went out is an error
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
