"""Template filters for what people read: ``{% load words %}``.

- ``{{ exam.duration_minutes|minutes }}``: "90 minutes", in the page's language with its
  plural forms;
- ``{{ attempt.absence_seconds|seconds_as_minutes }}``: seconds (as stored) read in
  minutes, rounded up;
- ``{{ question.body|plain_text }}``: sanitised HTML as one line of text.
"""

from __future__ import annotations

from django import template

from emtihan.core import texts
from emtihan.core.sanitize import plain_text as _plain_text

register = template.Library()


@register.filter
def minutes(value: int | None) -> str:
    return texts.minutes(int(value or 0))


@register.filter
def seconds_as_minutes(value: int | None) -> str:
    return texts.minutes(texts.minutes_of_seconds(int(value or 0)))


@register.filter
def plain_text(value: str | None) -> str:
    return _plain_text(value or "")
