"""Starting in production: the SECRET_KEY refusal and the SECURE_DEPLOYMENT switch.

Each case reads ``emtihan.settings`` (not the test settings) in a fresh process, as
gunicorn or ``manage.py`` would, with only the variables it names.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
A_KEY = "k3y-for-the-deployment-settings-test-" + "q" * 30
REFUSAL = "SECRET_KEY is not set, or is a public development key, and DEBUG is off."
SHOW = (
    "from django.conf import settings as s\n"
    "import json\n"
    "names = ['DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_SSL_REDIRECT',\n"
    "         'SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_PROXY_SSL_HEADER',\n"
    "         'SECURE_REDIRECT_EXEMPT']\n"
    "print(json.dumps({n: getattr(s, n) for n in names}))\n"
)
VARIABLES = (
    "SECRET_KEY",
    "SECRET_KEY_FILE",
    "DEBUG",
    "SECURE_DEPLOYMENT",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' fixture in this process
)


def run(code: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    environ.update(DJANGO_SETTINGS_MODULE="emtihan.settings", **env)
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else []), *args],
        env=environ,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_of(**env: str) -> dict:
    result = run(SHOW, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"SECRET_KEY": ""},
        {"SECRET_KEY": "insecure-dev-key-change-me-" + "0" * 20},
        {"SECRET_KEY": "django-insecure-" + "a" * 50},
    ],
    ids=["unset", "empty", "the-development-key", "django-insecure"],
)
def test_without_debug_it_refuses_to_start_without_a_key_of_its_own(env):
    result = run(SHOW, **env)

    assert result.returncode != 0
    assert REFUSAL in result.stderr
    assert "SECRET_KEY_FILE" in result.stderr


def test_manage_py_refuses_too(tmp_path):
    result = run("", "manage.py", "check", DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert REFUSAL in result.stderr


def test_a_key_of_its_own_starts(tmp_path):
    assert settings_of(SECRET_KEY=A_KEY, DATA_DIR=str(tmp_path))["DEBUG"] is False


def test_a_key_from_a_file_starts(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text(A_KEY + "\n")

    assert settings_of(SECRET_KEY_FILE=str(key_file), DATA_DIR=str(tmp_path))["DEBUG"] is False


def test_with_debug_on_the_development_key_is_allowed(tmp_path):
    assert settings_of(DEBUG="true", DATA_DIR=str(tmp_path))["DEBUG"] is True


def test_without_the_switch_nothing_assumes_https(tmp_path):
    values = settings_of(SECRET_KEY=A_KEY, DATA_DIR=str(tmp_path))

    assert values["SESSION_COOKIE_SECURE"] is False
    assert values["CSRF_COOKIE_SECURE"] is False
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_secure_deployment_turns_on_https_settings(tmp_path):
    values = settings_of(SECRET_KEY=A_KEY, SECURE_DEPLOYMENT="true", DATA_DIR=str(tmp_path))

    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_REDIRECT_EXEMPT"] == ["^healthz$"]


def test_each_secure_setting_can_be_adjusted(tmp_path):
    values = settings_of(
        SECRET_KEY=A_KEY,
        SECURE_DEPLOYMENT="true",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="3600",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        DATA_DIR=str(tmp_path),
    )

    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True


def test_django_deploy_check_finds_nothing_but_the_documented_choices(tmp_path):
    result = run(
        "",
        "manage.py",
        "check",
        "--deploy",
        SECRET_KEY=A_KEY,
        SECURE_DEPLOYMENT="true",
        ALLOWED_HOSTS="exams.example.edu",
        DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    # HSTS for the university's other subdomains and the preload list are the university's
    # decision (OPERATIONS.md): the only two warnings left.
    warned = sorted(set(re.findall(r"\(security\.(W\d+)\)", result.stderr)))
    assert warned == ["W005", "W021"], result.stderr
    assert "2 issues" in result.stderr


def test_the_deploy_check_warns_without_the_switch(tmp_path):
    result = run(
        "",
        "manage.py",
        "check",
        "--deploy",
        SECRET_KEY=A_KEY,
        ALLOWED_HOSTS="exams.example.edu",
        DATA_DIR=str(tmp_path),
    )

    assert "security.W004" in result.stderr  # no HSTS
    assert "security.W012" in result.stderr  # session cookie not secure


@pytest.mark.django_db
def test_an_https_request_through_the_proxy_gets_hsts(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

    plain = client.get("/accounts/login/")
    assert plain.status_code == 301
    assert plain.url == "https://testserver/accounts/login/"

    secure = client.get("/accounts/login/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure.headers["Strict-Transport-Security"] == "max-age=3600"
    # a load balancer's plain-HTTP health check is answered, not redirected
    assert client.get("/healthz").status_code == 200
