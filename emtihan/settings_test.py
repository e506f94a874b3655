"""Test settings: the real settings with fast password hashing and inline tasks."""

import os
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# settings.py refuses to start without a SECRET_KEY of its own when DEBUG is off.
os.environ.setdefault("SECRET_KEY", "emtihan-tests-only-" + "x" * 40)

from .settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="emtihan-test-media-"))
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# WhiteNoise looks here at start-up (and warns when it is missing); the live server of the
# browser tests serves the static files from the apps' folders itself.
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="emtihan-test-static-"))
# Outermost: no request of a browser test still runs when its database is flushed
# (emtihan/core/tests/live_gate.py).
MIDDLEWARE = ["emtihan.core.tests.live_gate.LiveServerGate", *MIDDLEWARE]  # noqa: F405

# Tests assert on the English source text; the i18n tests switch language explicitly.
LANGUAGE_CODE = "en"

# SQLite: a file database rather than the shared in-memory one, so the live server's
# threads and the test wait on each other (busy_timeout) instead of failing with
# "database table is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    _test_db = Path(tempfile.mkdtemp(prefix="emtihan-test-db-")) / "test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db)}  # noqa: F405


def redis_url_of_this_worker(url: str) -> str:
    """``url`` with a Redis database of this pytest-xdist worker's own: worker ``gwN``
    uses database (D - N) mod 16 where ``url`` names D (``make test`` runs the suite on
    several workers, and the persona battery's ``cache.clear()`` is a FLUSHDB, the rate
    limits count per address: workers must not share a database). Unchanged outside
    xdist."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    database = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(database - int(worker[2:])) % 16}"))


# The Redis database of the Redis tests (rq worker, sessions in Redis); with REDIS_URL the
# cache of the whole suite too.
TEST_REDIS_URL = redis_url_of_this_worker(
    os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
)
if REDIS_URL:  # noqa: F405
    CACHES["default"]["LOCATION"] = redis_url_of_this_worker(REDIS_URL)  # noqa: F405
