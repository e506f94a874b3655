#!/usr/bin/env python3
"""Unused code in emtihan: vulture, configured in pyproject.toml ([tool.vulture]), with
scripts/vulture_whitelist.py for what only templates or libraries read; `make lint` runs it.

vulture reads Python only, name by name. On top of its own settings this leaves out what
Django, django-ninja and dataclasses read by declaration rather than by name, decided from
the code's shape, not from a list:

- a class-level field: an annotated name (dataclass, Schema, TypedDict) or a name bound to
  a call (a model or form field, a manager);
- a lower-case class attribute of a class built on a framework's class (``list_display``
  of an admin, ``help`` of a command, ``form_class`` of a view): that framework's option;
- a member of a ``*Choices`` enumeration, and every option of a ``Meta`` class;
- an attribute assigned on an object whose class declares that name as a field (a model
  field set before ``save()``: the database reads it).

Everything else vulture finds (functions, methods, classes, properties, constants, class
constants, imports, unreachable code) is reported, and the exit status is 1.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from vulture.config import make_config
from vulture.core import Vulture

ROOT = Path(__file__).resolve().parent.parent


def _declarations(paths: list[Path]) -> tuple[set[tuple[Path, int]], set[str]]:
    """(file, line) of every declarative class-level name, and the names of all fields."""
    trees = [(path.resolve(), ast.parse(path.read_text(encoding="utf-8"))) for path in paths]
    classes = [
        (path, cls)
        for path, tree in trees
        for cls in ast.walk(tree)
        if isinstance(cls, ast.ClassDef)
    ]
    ours = {cls.name for _path, cls in classes}
    lines: set[tuple[Path, int]] = set()
    fields: set[str] = set()
    for path, cls in classes:
        bases = [ast.unparse(b) for b in cls.bases]
        everything = cls.name == "Meta" or any(b.endswith("Choices") for b in bases)
        # A class built on a framework's class (a form, an admin, a command, a view):
        # its lower-case class attributes are that framework's options. A base named with
        # its module (``forms.Form``, ``auth_admin.UserAdmin``) is not one of ours.
        options = any(("." in b or b not in ours) and b != "Protocol" for b in bases)
        for node in cls.body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names = [node.target.id]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
                if not (
                    everything
                    or isinstance(node.value, ast.Call)
                    or (options and all(n == n.lower() for n in names))
                ):
                    continue
            else:
                continue
            lines.add((path, node.lineno))
            fields.update(names)
    return lines, fields


class _Vulture(Vulture):
    """vulture, remembering which of our files it read."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.scanned: list[Path] = []

    def scan(self, code: str, filename: object = "") -> None:
        path = Path(str(filename))
        if path.is_file():  # not one of vulture's own whitelists
            self.scanned.append(path)
        super().scan(code, filename=filename)


def main() -> int:
    config = make_config([])
    vulture = _Vulture(
        verbose=False,
        ignore_names=config["ignore_names"],
        ignore_decorators=config["ignore_decorators"],
    )
    vulture.scavenge(config["paths"], exclude=config["exclude"])
    declared_lines, field_names = _declarations(vulture.scanned)
    unused = []
    for item in vulture.get_unused_code(min_confidence=config["min_confidence"]):
        where = (Path(item.filename).resolve(), item.first_lineno)
        if item.typ == "variable" and where in declared_lines:
            continue
        if item.typ == "attribute" and item.name in field_names:
            continue
        unused.append(item)
    for item in unused:
        print(item.get_report())
    if unused:
        print(
            f"\n{len(unused)} unused: delete it, or, if only a template or a library reads "
            "it, add it to scripts/vulture_whitelist.py with the reason.",
            file=sys.stderr,
        )
    return 1 if unused else 0


if __name__ == "__main__":
    sys.exit(main())
