"""Object ids as they arrive from outside: in a URL's path, a query string, a form field
or an API body.

Every primary key is a signed 64-bit integer (``BigAutoField``), so an id is a whole
number from 1 to 2**63 - 1. A larger one does not fit the database's integer: SQLite
raises ``OverflowError`` and PostgreSQL "bigint out of range", both a 500 if they reach
a query. So ids are bounded where they enter, once:

- URL paths use the ``id`` converter (``<id:exam_id>``, registered in ``CoreConfig``):
  anything else does not match, and the page is a 404;
- query strings and form fields go through ``parse_id``: ``None`` for anything else;
- API schemas and path parameters use ``emtihan.core.api.Id``: anything else is a 422.

The same bound serves numbers that are compared with stored integers (a choice's
``revision``): ``parse_whole`` is ``parse_id`` that also accepts 0.
"""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1  # the largest signed 64-bit integer (BigAutoField, BigIntegerField)
_MAX_DIGITS = len(str(MAX_ID))


def parse_whole(value: Any) -> int | None:
    """A whole number from 0 to ``MAX_ID`` written in plain decimal digits (an int, or
    a string with nothing around the digits), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        if len(value) > _MAX_DIGITS + 2:  # leading zeros allowed, a megabyte of digits not
            return None
        number = int(value)
    else:
        return None
    return number if 0 <= number <= MAX_ID else None


def parse_id(value: Any) -> int | None:
    """An object id (1 to ``MAX_ID``) from a query string or form value, else ``None``."""
    number = parse_whole(value)
    return number if number else None


class IdConverter:
    """``<id:name>`` in a URL pattern: an object id, or no match (404)."""

    regex = f"[0-9]{{1,{_MAX_DIGITS}}}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)  # Django's resolver treats it as "no match"
        return number

    def to_url(self, value: int | str) -> str:
        return str(int(value))
