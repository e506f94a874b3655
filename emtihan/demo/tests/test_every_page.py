"""Every page of the demo, as every kind of person sees it: no <form> inside a <form>.

The demo university (``demo_seed``, with its proctored sittings live and reviewed, plus a
sitting waiting for a decision, a pool and a registry import, so that every kind of page
has something to show)
is walked from the home page as each demo account, following what a person can follow:
links, htmx dialogs (``hx-get``), and the URLs rows carry for their toolbar buttons
(``data-*``). Every HTML page is read with an HTML tokenizer for a form inside a form
(issue 8: "Create exam" did nothing), and must not answer 5xx.

Every page route of the site must be reached by somebody, or be listed in ``NOT_PAGES``
with the reason: a new page nobody can reach fails here until it is linked or explained.
The templates themselves, in every branch, are checked by
``emtihan/core/tests/test_no_nested_forms.py``.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter, deque
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.core.tests.form_nesting import html_problems
from emtihan.demo.builders import approved_choice
from emtihan.exams import services as exams
from emtihan.exams.models import Exam
from emtihan.university.models import Discipline, Student, StudyGroup
from emtihan.university.services import import_job_create

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"
PERSONAS = {
    "registrar@demo.local": PASSWORD,
    "teacher@demo.local": PASSWORD,
    "head@demo.local": PASSWORD,
    "proctor@demo.local": PASSWORD,
    "grader@demo.local": PASSWORD,
    "teacher2@demo.local": PASSWORD,
    "head2@demo.local": PASSWORD,
    "student1@demo.local": "100001",
    "student3@demo.local": "100003",
}
# Page routes that are not pages a person opens with GET, and why.
NOT_PAGES = {
    "logout": "POST only",
    "set_language": "POST only (the language buttons)",
    "healthz": "for the load balancer, not HTML",
    "umkd:download": "a file download",
    "attempts:picture": "a picture inside an answer",
    "attempts:picture_by_key": "a picture as the grading pages will show it (by its key)",
    "attempts:decide": "POST only (the decision form)",
    "attempts:review_proposal": "POST only (the second reviewer's form)",
    "grading:release": "POST only (the results page's button; it asks first)",
    "grading:archive_build": "an archive's progress: the demo has none built (the archive's "
    "form leads there; grading/tests/test_browser_archive.py)",
    "grading:archive_download": "a ZIP download, not a page",
    "grading:identifying_decide": "POST only (the exam office's buttons)",
    "grading:settle": (
        "only while a second-marked work's two graders differ: the demo has no second-marked "
        "exam (drawn in grading/tests/test_browser_second_marking.py, and in the battery)"
    ),
    "grading:appeal_file": "POST only (the appeal form on the student's result page)",
    "grading:gradebook_export": "an XLSX download (the gradebook page's GET forms)",
    "examforms:review_bulk": "POST only (bulk review)",
    "university:import_rerun": "POST only",
    "exams:publish": "POST only",
    "exams:pool_create": "POST only",
    "exams:accommodation_set": "POST only",
    "proctoring:media": "a recording (snapshot, identity frame, voice clip, photo on file), not a page",
    "proctoring:identity_decision": "POST only (the review page's identity form)",
    "proctoring:flag_review": "POST only (the review page's flag form)",
    "proctoring:precheck_consent": "POST only (the consent form of the camera check)",
}
SKIP_PREFIXES = ("/static/", "/media/", "/admin/", "/api/")
PER_ROUTE = 3  # pages of one route visited per person (one exam page is like another)
URL_ATTRIBUTES = {"href", "hx-get", "action"}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            if name == "action" and (tag != "form" or (values.get("method") or "get") != "get"):
                continue
            if name in URL_ATTRIBUTES or (name.startswith("data-") and value.startswith("/")):
                self.urls.append(value)


def links(html: str, base: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    out = []
    for url in parser.urls:
        absolute = urljoin(base, url)
        parts = urlsplit(absolute)
        if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if path.startswith("/") and not path.startswith(SKIP_PREFIXES):
            out.append(path)
    return out


def route_of(path: str) -> str | None:
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return None
    return match.view_name


def page_routes() -> set[str]:
    """Every named route of the site's own pages (not the admin's, not the API's)."""
    names: set[str] = set()

    def walk(resolver: URLResolver, namespace: str) -> None:
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                if inner in ("admin", "api"):
                    continue
                walk(pattern, f"{namespace}{inner}:" if inner else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver(), "")
    return names


def crawl(client: Client, starts: list[str]) -> tuple[dict[str, int], list[str], Counter]:
    """Visit what can be followed from ``starts``; returns the status per path, the
    problems found and how many pages of each route were read."""
    seen: dict[str, int] = {}
    problems: list[str] = []
    per_route: Counter = Counter()
    queue = deque(starts)
    while queue:
        path = queue.popleft()
        route = route_of(path)
        if path in seen or route is None or route in NOT_PAGES:
            continue
        if per_route[route] >= PER_ROUTE or len(seen) > 400:
            continue
        response = client.get(path, headers={"HX-Request": "true"} if "/review/" in path else {})
        seen[path] = response.status_code
        per_route[route] += 1
        if response.status_code >= 500:
            problems.append(f"{path}: {response.status_code}")
            continue
        if response.status_code in (301, 302):
            queue.append(urljoin(path, response["Location"]))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        problems += [f"{path}: {p}" for p in html_problems(html)]
        queue.extend(links(html, path))
    return seen, problems, per_route


def prepare_demo() -> None:
    """The demo (its proctored exam with live and reviewed sittings, student1 before its
    device check), plus what some pages need to show anything."""
    call_command("demo_seed", stdout=io.StringIO())
    now = timezone.now()
    no_camera = Exam.objects.get(choice__discipline__code="MATH110", choice__group__code="IS-2302")
    upcoming = Exam.objects.get(choice__discipline__code="CS101", choice__group__code="IS-2301")
    teacher = User.objects.get(email="teacher@demo.local")
    # student3 is sitting the exam without the camera and was away too long.
    away = User.objects.get(email="student3@demo.local")
    attempt = attempts.attempt_start(
        student_user=away, exam_id=no_camera.pk, now=now - dt.timedelta(minutes=50)
    )
    attempts.heartbeat(attempt_id=attempt.pk, student_user=away, now=now)
    # A pool in the upcoming exam: withdrawn, the pool added and filled, published again.
    exams.exam_unpublish(actor=teacher, exam=upcoming)
    pool = exams.pool_create(actor=teacher, exam=upcoming, name="Warm-up", pick=1)
    exams.question_create(
        actor=teacher, exam=upcoming, kind="true_false", body="<p>1 + 1 = 2</p>",
        spec={"correct": True}, pool=pool,
    )  # fmt: skip
    exams.exam_publish(actor=teacher, exam=upcoming)
    # A draft exam with an empty pool (only an empty pool can be deleted), and extra time.
    choice = approved_choice(
        teacher=teacher, head=User.objects.get(email="head@demo.local"),
        discipline=Discipline.objects.get(code="CS101"), group=StudyGroup.objects.get(code="IS-2302"),
    )  # fmt: skip
    draft = exams.exam_create(
        actor=teacher, choice=choice, title="Draft", duration_minutes=60,
        opens_at=now + dt.timedelta(days=9), closes_at=now + dt.timedelta(days=9, hours=2),
    )  # fmt: skip
    exams.pool_create(actor=teacher, exam=draft, name="Empty", pick=1)
    exams.question_create(
        actor=teacher, exam=draft, kind="true_false", body="<p>2&nbsp;&gt;&nbsp;1</p>",
        spec={"correct": True},
    )  # fmt: skip
    exams.accommodation_set(
        actor=teacher, exam=no_camera, student=Student.objects.get(user=away), extra_minutes=15
    )
    import_job_create(
        actor=User.objects.get(email="registrar@demo.local"),
        files=[ContentFile(b"student_id;full_name\n", name="students.csv")],
    )
    # A question import into the draft exam (its page is linked from the import page).
    exams.question_import_start(
        actor=teacher,
        exam=draft,
        file=SimpleUploadedFile("bank.gift", b"::Q::1 + 1 = 2{T}"),
    )


def test_every_page_for_every_person_has_no_form_inside_a_form():
    prepare_demo()
    reached: set[str] = set()
    problems: list[str] = []
    visited = 0

    anonymous = Client()
    user = User.objects.get(email="student1@demo.local")
    reset = (
        f"/accounts/password/reset/{urlsafe_base64_encode(force_bytes(user.pk))}/"
        f"{default_token_generator.make_token(user)}/"
    )
    starts = ["/", "/accounts/login/", "/accounts/password/reset/", reset]
    starts += ["/accounts/password/reset/sent/", "/accounts/password/reset/complete/"]
    seen, found, routes = crawl(anonymous, starts)
    reached |= set(routes)
    problems += found
    visited += len(seen)

    for email, password in PERSONAS.items():
        client = Client()
        response = client.post("/accounts/login/", {"username": email, "password": password})
        assert response.status_code == 302, f"{email} cannot log in with the README's password"
        seen, found, routes = crawl(client, ["/"])
        assert len(seen) > 3, f"{email} reached only {sorted(seen)}"
        reached |= set(routes)
        problems += [f"{email} {p}" for p in found]
        visited += len(seen)

    assert problems == []
    missing = page_routes() - reached - set(NOT_PAGES)
    assert missing == set(), f"no demo account reached these pages: {sorted(missing)}"
    assert visited > 100


def test_the_link_reader_follows_links_dialogs_and_row_urls():
    html = (
        '<a href="/exams/1/">x</a><a href="?status=approved">f</a>'
        '<button hx-get="/exam-forms/review/3/">o</button><tr data-edit="/exam-forms/edit/1/2/">'
        '<form method="post" action="/exams/1/delete/"></form>'
        '<a href="https://example.org/">out</a><a href="/static/app.css">s</a>'
        '<form action="/exam-forms/export/"></form>'
    )
    assert links(html, "/exam-forms/review/") == [
        "/exams/1/",
        "/exam-forms/review/?status=approved",
        "/exam-forms/review/3/",
        "/exam-forms/edit/1/2/",
        "/exam-forms/export/",
    ]
    assert re.fullmatch(r"exams:\w+", route_of("/exams/1/") or "")
