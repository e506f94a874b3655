"""Minutes as people read them, with each language's plural forms (issue 8: absence was
shown as "2520 s of 1200 s")."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.utils import translation

from emtihan.core.texts import minutes, minutes_of_seconds


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", {1: "1 minute", 2: "2 minutes", 21: "21 minutes"}),
        ("ru", {1: "1 минута", 3: "3 минуты", 5: "5 минут", 11: "11 минут", 21: "21 минута"}),
        ("kk", {1: "1 минут", 20: "20 минут"}),
    ],
)
def test_minutes_in_every_language(language, expected):
    with translation.override(language):
        assert {n: minutes(n) for n in expected} == expected


def test_seconds_read_as_whole_minutes_rounded_up():
    assert [minutes_of_seconds(s) for s in (0, 1, 60, 61, 1200, 2520, -5)] == [
        0, 1, 1, 2, 20, 42, 0,
    ]  # fmt: skip


def test_the_template_filters():
    template = Template(
        "{% load words %}{{ d|minutes }}; {{ s|seconds_as_minutes }}; {{ html|plain_text }}"
    )
    with translation.override("ru"):
        text = template.render(Context({"d": 90, "s": 1201, "html": "<p>a&nbsp;&lt;&nbsp;b</p>"}))
    assert text == "90 минут; 21 минута; a &lt; b"
