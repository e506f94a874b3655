"""REDIS_URL: the cache lives in Redis and sessions are read from it (``cached_db``).

The first tests read the settings module as a fresh process would; the others run against
a real Redis (``TEST_REDIS_URL``, default database 15 on 127.0.0.1). Without one they are
skipped here; with CI=true they fail instead, like the browser and PostgreSQL tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from emtihan.conftest import TEST_REDIS_URL, require_redis

REPO = Path(__file__).resolve().parents[3]
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def _settings_in_a_fresh_process(**env: str) -> list[str]:
    environ = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_KEY_PREFIX"}}
    code = (
        "from django.conf import settings as s\n"
        "print(s.SESSION_ENGINE)\n"
        "print(s.CACHES['default']['BACKEND'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**environ, "DJANGO_SETTINGS_MODULE": "emtihan.settings", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_without_redis_url_sessions_stay_in_the_database():
    assert _settings_in_a_fresh_process() == [
        "django.contrib.sessions.backends.db",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_with_redis_url_the_cache_and_sessions_use_redis():
    assert _settings_in_a_fresh_process(REDIS_URL="redis://cache.example:6379/2") == [
        CACHED_DB,
        "django.core.cache.backends.redis.RedisCache",
    ]


@pytest.fixture
def redis_sessions(settings):
    require_redis()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": TEST_REDIS_URL,
            # one prefix per test: nothing another run left behind is found
            "KEY_PREFIX": f"emtihan-test-{uuid.uuid4().hex}",
        }
    }
    settings.SESSION_ENGINE = CACHED_DB
    return settings


def _session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_logged_in_request_reads_no_session_from_the_database(client, world, redis_sessions):
    client.force_login(world.student)
    client.get(reverse("attempts:home"))  # the first read may fill the cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("attempts:home"))
    assert response.status_code == 200
    assert response.context["user"] == world.student
    assert _session_queries(queries.captured_queries) == []


def test_logging_out_ends_the_session_in_redis_too(client, world, redis_sessions):
    client.force_login(world.student)
    key = client.session.session_key
    store = import_module(settings.SESSION_ENGINE).SessionStore
    assert store(session_key=key).load()
    client.post(reverse("logout"))
    assert store(session_key=key).load() == {}
    client.cookies[settings.SESSION_COOKIE_NAME] = key  # the old cookie, replayed
    response = client.get(reverse("attempts:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
