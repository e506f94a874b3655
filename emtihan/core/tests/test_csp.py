"""The Content-Security-Policy header, and templates that need nothing it forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from csp.utils import build_policy
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "emtihan" / "templates"
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.I)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)


def templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_has_inline_handlers_scripts_or_styles(path):
    text = path.read_text(encoding="utf-8")

    assert not HANDLER.search(text), "inline event handler: use app.js and a data- attribute"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class in app.css"
    assert not STYLE_ELEMENT.search(text), "<style> element: use app.css"
    for attributes in SCRIPT.findall(text):
        data_block = 'type="application/json"' in attributes
        assert data_block or ("src=" in attributes and "csp_nonce" in attributes), (
            f"<script{attributes}>: scripts are files, loaded with the response's nonce"
        )


def policy_of(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in header.split("; ")}


def test_pages_carry_a_nonce_based_policy(client, world):
    client.force_login(world.teacher)

    response = client.get(reverse("exams:list"))

    policy = policy_of(response)
    nonce = re.search(r'<script src="[^"]+app\.js" nonce="([^"]+)"', response.text)[1]
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src"][:2] == ["'self'", f"'nonce-{nonce}'"]
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "'unsafe-eval'" not in response.headers["Content-Security-Policy"]


def test_every_response_gets_its_own_nonce(client, db):
    first = policy_of(client.get(reverse("login")))["script-src"]
    second = policy_of(client.get(reverse("login")))["script-src"]

    assert first != second


def test_a_response_without_a_nonce_gets_the_policy_django_csp_builds(client, db):
    response = client.get(reverse("healthz"))  # no template, so no nonce was asked for

    assert response.headers["Content-Security-Policy"] == build_policy()
    assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_the_built_policy_follows_the_settings(client, db, settings):
    before = client.get(reverse("healthz")).headers["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}

    response = client.get(reverse("healthz"))

    assert before != "default-src 'none'"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'"
    report_only = response.headers["Content-Security-Policy-Report-Only"]
    assert report_only == build_policy(report_only=True)
    assert "img-src 'self'" in report_only


def test_an_exempt_or_excluded_response_gets_no_policy(client, db, settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/healthz"],
    }

    assert "Content-Security-Policy" not in client.get(reverse("healthz")).headers
