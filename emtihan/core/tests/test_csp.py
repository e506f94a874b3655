"""The Content-Security-Policy header, and templates that need nothing it forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
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
