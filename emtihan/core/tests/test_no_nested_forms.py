"""No <form> inside a <form> in any of emtihan's templates, in any branch of any page.

(issue 8: the time-zone note carried its own <form> inside the exam settings form, and
"Create exam" did nothing.) Every template file of the project is a root: pages through
their ``{% extends %}`` chain, partials (htmx dialogs, rows) as they are served. The pages
as rendered for every role are checked too, in ``emtihan/demo/tests/test_every_page.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.test import override_settings

from .form_nesting import html_problems, template_problems

PROJECT = Path(settings.BASE_DIR) / "emtihan"


def project_templates() -> list[str]:
    names: set[str] = set()
    for loader in engines["django"].engine.template_loaders:
        for directory in loader.get_dirs():
            directory = Path(directory)
            if not directory.is_relative_to(PROJECT) or not directory.is_dir():
                continue
            names |= {str(p.relative_to(directory)) for p in directory.rglob("*.html")}
    return sorted(names)


def test_the_check_sees_every_template():
    names = project_templates()
    assert "base.html" in names and "exams/exam_form.html" in names
    assert "core/_timezone_note.html" in names
    assert len(names) > 40


@pytest.mark.parametrize("name", project_templates())
def test_no_form_inside_a_form(name):
    assert template_problems(name) == []


# --- the checks themselves ------------------------------------------------------------------

OUTER = (
    '{% extends "base.html" %}{% block content %}<form id="outer" method="post">'
    '<input name="a">{% include "inner.html" %}<button>Go</button></form>{% endblock %}'
)
INNER_WITH_FORM = '{% if user %}<p>note</p><form id="inner"><button>x</button></form>{% endif %}'
INNER_WITHOUT = '<div><button form="elsewhere">x</button></div>'
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "base.html": "<body><main>{% block content %}{% endblock %}</main>"
                        '<form id="after"></form></body>',
                        "page.html": OUTER,
                        "inner.html": INNER_WITH_FORM,
                        "clean_inner.html": INNER_WITHOUT,
                        "clean.html": OUTER.replace("inner.html", "clean_inner.html"),
                        "branches.html": '{% if a %}<form id="x">{% else %}<form id="y">'
                        "{% endif %}<input></form>",
                        "comment.html": "<form>{# <form> #}{% comment %}<form>{% endcomment %}"
                        "<!-- <form> --></form>",
                    },
                )
            ]
        },
    }
]


@override_settings(TEMPLATES=TEMPLATES)
def test_the_template_check_follows_extends_includes_and_branches():
    problems = template_problems("page.html")
    assert len(problems) == 1
    assert "(in inner.html <- base.html <- page.html)" in problems[0]
    assert template_problems("clean.html") == []
    # Either branch opens one form, never both: no nesting.
    assert template_problems("branches.html") == []
    assert template_problems("comment.html") == []


def test_the_html_check_reads_a_rendered_page():
    nested = '<form id="outer"><input><form action="/tz/"><button></button></form><button>Go'
    assert html_problems(nested + "</button></form>") == [
        '<form action="/tz/"> inside <form id="outer">'
    ]
    assert html_problems('<form id="a"></form><form id="b"></form>') == []
