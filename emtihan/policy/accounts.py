"""Who a person is: roles, the explicit staff override, the menu and the landing page.

A role (a Django group, ``accounts.Role``) opens a door: a menu entry, a landing page, a
list. It never says *which* objects: that comes from data one layer up (teaching
assignments, a department's head, proctor and grader assignments).

Imports only ``accounts`` (the layer of roles).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from emtihan.accounts.models import Role, User

# ``request.user``: a ``User`` or Django's ``AnonymousUser``. Every function here accepts
# both; an anonymous or deactivated person may do nothing.
Person = Any


def is_person(user: Person) -> bool:
    """Logged in and not deactivated: the precondition of every permission."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def overrides(user: Person) -> bool:
    """The explicit override: staff (``is_staff``) and superusers are the exam office.

    It grants exactly these, and nothing else (docs/PERMISSIONS.md):
    - the registrar's rights (registry import, exports, reading every exam-form choice and
      every UMKD, proctor and grader assignments);
    - managing every exam, as a teacher of it would;
    - the proctor's scope over every exam (sittings, decisions, pictures).
    It does not let anyone save a teacher's exam-form choice or approve one (only the
    teachers and the department's head may), sit an exam, or grade.
    """
    return is_person(user) and bool(user.is_staff or user.is_superuser)


def has_role(user: Person, role: str) -> bool:
    return is_person(user) and user.has_role(role)


def is_student(user: Person) -> bool:
    return has_role(user, Role.STUDENT)


def is_teacher(user: Person) -> bool:
    return has_role(user, Role.TEACHER)


def is_head(user: Person) -> bool:
    """The head role: the door to the review pages. Which choices a head reviews is
    decided by the departments they head (``policy.university.heads``)."""
    return has_role(user, Role.HEAD)


def is_proctor(user: Person) -> bool:
    """The proctor role. A proctor's exams are their assignments
    (``policy.exams.exams_proctored_by``); the role alone opens no sitting."""
    return has_role(user, Role.PROCTOR)


def is_grader(user: Person) -> bool:
    """The grader role. A grader's exams are their assignments
    (``policy.exams.exams_graded_by``); graders never see who wrote a work."""
    return has_role(user, Role.GRADER)


def is_registrar(user: Person) -> bool:
    """The registrar's office: the registrar role, or the staff override."""
    return has_role(user, Role.REGISTRAR) or overrides(user)


def may_proctor(user: Person) -> bool:
    """The door to the proctor's pages (their exams, decisions): proctors and staff."""
    return is_proctor(user) or overrides(user)


def may_open_exam_pages(user: Person) -> bool:
    """The door to the teacher's exam pages: teachers and staff."""
    return is_teacher(user) or overrides(user)


def people_with_role(role: str) -> QuerySet[User]:
    """Active people holding ``role`` (who may be assigned as a proctor or a grader)."""
    return User.objects.filter(groups__name=role, is_active=True).order_by("full_name", "email")


def menu(user: Person) -> dict[str, bool]:
    """Which entries of the main menu a person gets: each one opens a page the policy
    lets them open (the persona battery checks that every listed page opens)."""
    if not is_person(user):
        return {}
    return {
        "is_student": is_student(user),
        "is_teacher": is_teacher(user),
        "is_head": is_head(user),
        "is_registrar": is_registrar(user),
        # The export page: the registrar's office (everything) and heads (their departments).
        "may_export": is_registrar(user) or is_head(user),
        "is_proctor": may_proctor(user),
        "is_grader": is_grader(user),
        # Identifying marks found in works: the exam office (policy.grading's rule).
        "may_review_marks": overrides(user),
    }


def landing(user: Person) -> str | None:
    """The URL name of the page a person lands on after logging in (None: the plain
    welcome page). The first role that has a page wins, in this order."""
    if is_teacher(user):
        return "examforms:teacher_list"
    if is_head(user):
        return "examforms:review"
    if is_registrar(user):
        return "examforms:export"
    if is_student(user):
        return "attempts:home"
    if is_proctor(user):
        return "attempts:proctor_exams"
    if is_grader(user):
        return "exams:grader_home"
    return None
