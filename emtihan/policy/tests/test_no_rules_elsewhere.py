"""No permission decision outside ``emtihan/policy``: a grep over the code, as a test.

What a rule looks like in code (a role asked, the staff flag read, a teaching assignment,
a department's head or a student's own row looked up by the person) may appear only in
the policy, or at a place listed in ``ALLOWED`` with the reason it is not a permission
decision. A new check written in a service, selector, view or API handler fails here:
ask the policy instead (or add the rule to it).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the emtihan package

PATTERNS = {
    "a role asked": re.compile(r"\.has_role\("),
    "the staff override read": re.compile(r"\.is_staff\b|\.is_superuser\b"),
    "a role queried": re.compile(r"groups__name"),
    "a teaching assignment looked up by person": re.compile(r"teacher__user(_id)?\s*="),
    "a department's head compared": re.compile(r"head_id\s*[!=]=|__head(_id)?\s*="),
    "a student's own rows looked up": re.compile(r"student__user(_id)?\s*="),
}

# (file relative to emtihan/, what) -> why it is not a permission decision
ALLOWED = {
    ("accounts/models.py", "a role asked"): "defines User.has_role, which the policy asks",
    ("exams/models.py", "a role queried"): (
        "limit_choices_to: only proctors and graders are offered in the admin's and the "
        "registrar's forms; policy.exams checks the role again when an assignment is used"
    ),
    ("university/models.py", "a role queried"): "the same, for faculty proctors",
    ("university/importing/write.py", "a department's head compared"): (
        "the registry import writes the head named in the registry, it checks no one"
    ),
    ("attempts/selectors.py", "a student's own rows looked up"): (
        "extra_minutes: the student's own extra time, read for an exam that "
        "exam_for_student found through policy.attempts"
    ),
    ("demo/exams.py", "a student's own rows looked up"): (
        "the demo seed skips a sitting it already made (idempotence), it checks no one"
    ),
    ("demo/proctoring.py", "a student's own rows looked up"): (
        "the demo seed reads back the proctoring session it just made, it checks no one"
    ),
}


def code_files():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        parts = relative.split("/")
        if parts[0] == "policy" or "tests" in parts or "migrations" in parts:
            continue
        if relative == "conftest.py":
            continue
        yield relative, path.read_text(encoding="utf-8")


def findings() -> set[tuple[str, str]]:
    found = set()
    for relative, text in code_files():
        for what, pattern in PATTERNS.items():
            if pattern.search(text):
                found.add((relative, what))
    return found


def test_no_permission_rule_outside_the_policy():
    unexplained = sorted(findings() - set(ALLOWED))
    assert unexplained == [], (
        "permission rules outside emtihan/policy (ask the policy instead): "
        + "; ".join(f"{f}: {what}" for f, what in unexplained)
    )


def test_every_allowed_place_still_needs_its_exception():
    stale = sorted(set(ALLOWED) - findings())
    assert stale == [], f"remove these from ALLOWED, they no longer match: {stale}"


def test_the_grep_finds_a_rule_written_in_a_view():
    view = 'if not (user.is_staff or user.has_role("registrar")):\n    raise PermissionDenied\n'
    matched = {what for what, pattern in PATTERNS.items() if pattern.search(view)}
    assert matched == {"a role asked", "the staff override read"}
    lookup = "TeachingAssignment.objects.filter(teacher__user=user, period=period)"
    assert PATTERNS["a teaching assignment looked up by person"].search(lookup)
    assert PATTERNS["a department's head compared"].search("discipline.department.head_id == u.pk")
    assert PATTERNS["a department's head compared"].search("filter(discipline__department__head=u)")
