"""Middleware every request goes through, whatever the app."""

from __future__ import annotations

from django.core.handlers.wsgi import LimitedStream

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
