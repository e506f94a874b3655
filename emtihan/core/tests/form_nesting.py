"""Finding a <form> inside a <form>, in templates and in rendered pages.

The HTML parser ignores a <form> start tag while a form is open, and the inner form's
</form> then closes the OUTER form: the fields and the submit button after it fall outside
and stop submitting (issue 8: "Create exam" did nothing). Two checks:

- ``template_problems`` walks a template's compiled node tree the way it renders:
  ``{% extends %}`` with the child's blocks in the parent's places, ``{% include %}`` at any
  depth, and each branch of ``{% if %}`` / ``{% for %}`` on its own (so one page that renders
  differently for different people is checked in every variant);
- ``html_problems`` reads a rendered page with an HTML tokenizer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from html.parser import HTMLParser

from django.template import Node, NodeList, engines
from django.template.defaulttags import ForNode, IfNode
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode

FORM_TAG = re.compile(r"<!--.*?-->|<form\b|</form\s*>", re.IGNORECASE | re.DOTALL)


class _Walker:
    """Follows one template; ``depths`` is the set of form depths some rendering can be at."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.problems: list[str] = []
        self.engine = engines["django"].engine

    def template(self, name: str, depths: set[int], blocks: dict[str, BlockNode], stack: tuple):
        if name in stack:  # a recursive include renders nothing new
            return depths
        nodelist = self.engine.get_template(name).nodelist
        return self.nodes(nodelist, depths, blocks, (*stack, name))

    def nodes(self, nodelist: Iterable[Node], depths, blocks, stack) -> set[int]:
        for node in nodelist:
            depths = self.node(node, depths, blocks, stack)
        return depths

    def node(self, node: Node, depths: set[int], blocks, stack) -> set[int]:
        if isinstance(node, ExtendsNode):
            parent = node.parent_name.var
            if not isinstance(parent, str):
                self.problems.append(f"{stack[-1]}: extends a template named at run time")
                return depths
            merged = {**node.blocks, **blocks}  # the most derived block wins
            return self.template(parent, depths, merged, stack)
        if isinstance(node, BlockNode):
            chosen = blocks.get(node.name, node)
            return self.nodes(chosen.nodelist, depths, blocks, stack)
        if isinstance(node, IncludeNode):
            name = node.template.var
            if not isinstance(name, str):
                self.problems.append(f"{stack[-1]}: includes a template named at run time")
                return depths
            return self.template(name, depths, blocks, stack)
        if isinstance(node, IfNode):
            branches = [nodelist for _condition, nodelist in node.conditions_nodelists]
            if node.conditions_nodelists[-1][0] is not None:
                branches.append(NodeList())  # no {% else %}: nothing may render
            return self.branches(branches, depths, blocks, stack)
        if isinstance(node, ForNode):
            return self.branches([node.nodelist_loop, node.nodelist_empty], depths, blocks, stack)
        text = getattr(node, "s", None)  # TextNode
        if isinstance(text, str):
            return self.text(text, depths, stack)
        for attr in node.child_nodelists:
            depths = self.nodes(getattr(node, attr, None) or [], depths, blocks, stack)
        return depths

    def branches(self, branches, depths, blocks, stack) -> set[int]:
        after: set[int] = set()
        for nodelist in branches:
            after |= self.nodes(nodelist, set(depths), blocks, stack)
        return after

    def text(self, text: str, depths: set[int], stack) -> set[int]:
        for match in FORM_TAG.finditer(text):
            tag = match.group(0).lower()
            if tag.startswith("<!--"):
                continue
            if tag.startswith("</"):
                depths = {max(d - 1, 0) for d in depths}
                continue
            if max(depths) >= 1:
                where = " <- ".join(reversed(stack))
                problem = f"{self.root}: a <form> opens inside another <form> (in {where})"
                if problem not in self.problems:
                    self.problems.append(problem)
            depths = {d + 1 for d in depths}
        return depths


def template_problems(name: str) -> list[str]:
    walker = _Walker(name)
    walker.template(name, {0}, {}, ())
    return walker.problems


class _FormNesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open_forms: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "form":
            return
        label = " ".join(f'{k}="{v}"' for k, v in attrs if k in ("id", "action", "class"))
        if self.open_forms:
            self.problems.append(f"<form {label}> inside <form {self.open_forms[-1]}>")
        self.open_forms.append(label)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.open_forms:
            self.open_forms.pop()


def html_problems(html: str) -> list[str]:
    parser = _FormNesting()
    parser.feed(html)
    parser.close()
    return parser.problems
