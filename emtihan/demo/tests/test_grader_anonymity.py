"""Issue 11, invariant 6 (DESIGN.md), on the demo's real data: the demo's grader walks
every page they can reach (links, htmx dialogs, row URLs, GET forms and downloads such as
pictures), and no student of the demo university is named on any of them: no full name,
first name or surname, student ID, e-mail or group code, in the HTML, a header or a file.

``grading/tests/test_views.py`` checks the same on a pile built for it; this one takes the
accounts, exams and sittings ``make demo`` shows, marked and released through the real
services (grader@demo.local marks the Databases sittings)."""

from __future__ import annotations

import io
from collections import Counter, deque
from urllib.parse import urljoin

import pytest
from django.core.management import call_command
from django.test import Client

from emtihan.demo.tests.test_every_page import PASSWORD, links, route_of
from emtihan.grading.models import Work
from emtihan.university.models import Student, StudyGroup

pytestmark = pytest.mark.django_db

PER_ROUTE = 40  # every work of the demo's pile, not one of each kind


def identifiers() -> dict[str, str]:
    """What would name a student of the demo: each string and whose it is."""
    found: dict[str, str] = {}
    for student in Student.objects.select_related("user", "group"):
        user = student.user
        who = user.email
        # the full name and each of its words (surname, first name, patronymic)
        for value in (user.full_name, *user.full_name.split(), user.email):
            if len(value) >= 4:
                found[value] = who
        found[student.student_id] = who
    for group in StudyGroup.objects.all():
        found[group.code] = f"group {group.code}"
    return found


def walk(client: Client) -> tuple[dict[str, bytes], Counter]:
    """Every path the grader can follow from the home page, with the bytes it answered
    (headers included: a file's name travels in Content-Disposition)."""
    bodies: dict[str, bytes] = {}
    per_route: Counter = Counter()
    queue = deque(["/"])
    while queue:
        path = queue.popleft()
        route = route_of(path)
        if path in bodies or route is None or per_route[route] >= PER_ROUTE:
            continue
        response = client.get(path)
        per_route[route] += 1
        head = "\n".join(f"{k}: {v}" for k, v in response.items()).encode()
        body = response.content if not response.streaming else b"".join(response.streaming_content)
        bodies[path] = head + b"\n" + body
        if response.status_code in (301, 302):
            queue.append(urljoin(path, response["Location"]))
        elif "text/html" in response.get("Content-Type", ""):
            queue.extend(links(body.decode(), path))
    return bodies, per_route


def test_the_demo_grader_reads_no_student_identity_on_any_page():
    call_command("demo_seed", stdout=io.StringIO())
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "grader@demo.local", "password": PASSWORD}
    )
    assert response.status_code == 302
    bodies, per_route = walk(client)
    # The grader did reach the demo's works, each by its code.
    codes = list(Work.objects.values_list("code", flat=True))
    assert codes, "the demo has works to mark"
    assert per_route["grading:work"] >= len(codes) - 1, per_route
    text = b"\n".join(bodies.values()).decode("utf-8", "replace")
    assert all(code in text for code in codes)

    leaks = sorted(
        f"{whose}: {value!r} on {path}"
        for value, whose in identifiers().items()
        for path, body in bodies.items()
        if value.lower() in body.decode("utf-8", "replace").lower()
    )
    assert leaks == []
