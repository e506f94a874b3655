"""The persona battery: every route and every API operation, as every persona, including
objects that belong to someone else, against what the permission policy allows.

The routes come from Django's URL resolver and the operations from the OpenAPI schema
(``/api/v1/openapi.json``), so a new endpoint cannot be forgotten:
``test_every_route_and_operation_has_an_entry`` fails until it has one here.

The personas and their objects are the ``cast`` fixture of ``emtihan/conftest.py``
(built through the services). Each request runs in a transaction that is rolled back,
so one persona's write never changes what the next one meets; for writes the case also
checks whether the write happened (``wrote``), and for lists whether someone else's
object shows (``shows``).

How to add an entry for a new route
-----------------------------------
1. Find its key: a page route's URL name (``"exams:detail"``), or an API operation's
   method and path as the schema writes it (``"GET /api/v1/exams/{exam_id}"``). The
   failing test prints the missing keys.
2. Add a ``Case`` to ``CASES`` with that key, a ``url`` built from the cast's objects
   (use someone else's object too: a second ``Case`` with the same key), the ``method``
   and ``data`` when it writes, and ``expect``: what each persona gets. ``expect(...)``
   starts from a default for every logged-in persona (``others``) and the anonymous one
   (sent to log in), and names the exceptions: ``teacher=OK, registrar=OK``.
3. For a write, give ``effect``: a function of the cast that says whether the write
   happened; personas that may write say ``wrote=True`` (``Expect(302, wrote=True)``),
   every other persona is checked to have written nothing. For a list, give ``marker``:
   text of someone else's object, and say who may see it (``shows=True``).
4. If the policy should allow something new, change ``emtihan/policy`` first (and
   docs/PERMISSIONS.md), never only the expectation.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from emtihan.attempts.models import Attempt, Decision, DecisionProposal, Picture, ProposalStatus
from emtihan.audit.models import AuditEntry
from emtihan.conftest import PERSONAS, Cast, ProctoredCast, jpeg_upload, wav_upload
from emtihan.core.pdf import simple_pdf
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.exams.models import Accommodation, Exam, ExamGrader, ExamStatus, Question
from emtihan.exams.models import QuestionPool as Pool
from emtihan.grading.models import (
    Appeal,
    AppealStatus,
    ArchiveBuild,
    ArchiveStatus,
    Criterion,
    MarkingSettings,
    Work,
)
from emtihan.grading.services import (
    MarkInput,
    appeal_file,
    independent_mark,
    results_release,
    work_mark,
    works_ensure,
)
from emtihan.proctoring.models import Flag
from emtihan.proctoring.models import ProctoringSession as Session
from emtihan.umkd.models import MaterialVersion
from emtihan.university.models import ImportJob

pytestmark = pytest.mark.django_db

LOGGED_IN = tuple(p for p in PERSONAS if p != "anonymous")


@dataclass(frozen=True)
class Expect:
    """What one persona gets: the status, where a redirect goes, whether a write
    happened, whether someone else's object shows."""

    status: int
    location: str | None = None
    wrote: bool = False
    shows: bool = False


OK = Expect(200)
DENIED = Expect(403)
MISSING = Expect(404)
LOGIN = Expect(302, "/accounts/login/")
API_LOGIN = Expect(401)


def expect(others: Expect, anonymous: Expect = LOGIN, **personas: Expect) -> dict[str, Expect]:
    """Every persona's expectation: ``others`` for each logged-in persona not named."""
    unknown = set(personas) - set(PERSONAS)
    if unknown:
        raise ValueError(f"no such persona: {sorted(unknown)}")
    table = {persona: personas.get(persona, others) for persona in LOGGED_IN}
    table["anonymous"] = anonymous
    return table


def api(others: Expect, **personas: Expect) -> dict[str, Expect]:
    return expect(others, API_LOGIN, **personas)


@dataclass
class Case:
    key: str
    url: Callable[[Cast], str]
    expect: dict[str, Expect]
    method: str = "get"
    data: Callable[[Cast], Any] | None = None
    json: bool = False
    effect: Callable[[Cast], bool] | None = None
    # Run before the request, inside the same rolled-back transaction.
    prepare: Callable[[Cast], Any] | None = None
    marker: Callable[[Cast], str] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        if self.key.startswith(("GET ", "POST ", "PUT ", "PATCH ", "DELETE ")):
            return "api " + self.key.split("/")[3]
        return self.key.split(":")[0] if ":" in self.key else "site"


def u(name: str, *args: Callable[[Cast], Any]) -> Callable[[Cast], str]:
    """The URL of route ``name`` with arguments taken from the cast."""
    return lambda c: reverse(name, args=[arg(c) for arg in args])


def path(template: str, **args: Callable[[Cast], Any]) -> Callable[[Cast], str]:
    """An API path with ``{name}`` filled from the cast."""
    return lambda c: template.format(**{name: arg(c) for name, arg in args.items()})


def png() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 0, 0)).save(out, format="PNG")
    return SimpleUploadedFile("p.png", out.getvalue(), content_type="image/png")


# What the confirmation page (core/confirm.py) posts again.
CONFIRMED = {"confirmed": "yes"}
PDF = simple_pdf(["A syllabus uploaded by the persona battery"])


def exam_id(c: Cast) -> int:
    return c.exam.pk


def draft_id(c: Cast) -> int:
    return c.draft.pk


def other_exam_id(c: Cast) -> int:
    return c.other_exam.pk


def written_id(c: Cast) -> int:
    return c.attempt.layout[0]["q"]


def work_code(c: Cast) -> str:
    """The marking code of the classmate's ended sitting (given lazily, as the pile does)."""
    works_ensure(exam=c.exam)
    return Work.objects.get(attempt=c.classmate_attempt).code


def written_question_id(c: Cast) -> int:
    """The exam's written question (the one a rubric is set for)."""
    return Question.objects.filter(exam=c.exam, kind="written").order_by("pk").first().pk


def marked_work(c: Cast) -> None:
    """The classmate's sitting accepted and its work marked by the grader: ready to release."""
    Attempt.objects.filter(pk=c.classmate_attempt.pk).update(decision=Decision.CONTINUE)
    work = Work.objects.get(code=work_code(c))
    marks = [MarkInput(entry["q"], "0", reason="battery") for entry in c.classmate_attempt.layout]
    work_mark(actor=c.user("grader"), work_id=work.pk, revision=work.revision, marks=marks)


def work_to_settle(c: Cast) -> None:
    """Second marking on; the classmate's work marked 0 by the grader and full by a second
    grader (an unassigned one assigned for it): far apart, waiting to settle."""
    MarkingSettings.objects.create(exam=c.exam, second_marking=True, threshold=0)
    work = Work.objects.get(code=work_code(c))
    other = c.user("unassigned_grader")
    ExamGrader.objects.create(exam=c.exam, user=other)
    for grader, points in ((c.user("grader"), "0"), (other, "1")):
        marks = [MarkInput(e["q"], points, reason="battery") for e in c.classmate_attempt.layout]
        independent_mark(actor=grader, work_id=work.pk, revision=0, marks=marks)
    assert Work.objects.get(pk=work.pk).state == "to_settle"


def released_work(c: Cast) -> None:
    """The classmate's work marked and its result released by the teacher."""
    marked_work(c)
    results_release(actor=c.user("teacher"), exam=c.exam)


def open_appeal(c: Cast) -> None:
    """The classmate's released result under appeal."""
    released_work(c)
    appeal_file(actor=c.user("classmate"), attempt_id=c.classmate_attempt.pk, reason="battery")


def appeal_id(c: Cast) -> int:
    return Appeal.objects.get(work__attempt=c.classmate_attempt).pk


def archive_build_id(c: Cast) -> int:
    """A finished archive of the exam (a small ZIP in storage), made by the registrar."""
    build = ArchiveBuild.objects.filter(exam=c.exam).first()
    if build is None:
        build = ArchiveBuild.objects.create(
            exam=c.exam, requested_by=c.user("registrar"), requested_at=c.exam.opens_at,
            status=ArchiveStatus.DONE, done=1, total=1,
        )  # fmt: skip
        build.file.save("archives/battery.zip", ContentFile(b"PK\x05\x06" + bytes(18)))
    return build.pk


def published(c: Cast) -> bool:
    return Exam.objects.filter(pk=c.draft.pk, status=ExamStatus.PUBLISHED).exists()


def publishable(c: Cast) -> None:
    """The draft's spare pool is empty (for the pool-delete case); publishing needs it gone."""
    Pool.objects.filter(pk=c.empty_pool.pk).delete()


def consent_version(exam: Exam) -> str:
    from emtihan.proctoring import services as proctoring

    return proctoring.consent_version(proctoring.consent_paragraphs(exam, "en"))


def proposed_cancel(c: Cast) -> None:
    """Another proctor of the exam (no persona) proposed cancelling the classmate's work:
    every persona but them may be its second reviewer."""
    from emtihan.accounts.models import Role
    from emtihan.attempts import services as attempts
    from emtihan.conftest import make_user
    from emtihan.exams import assignments

    other = make_user("battery-proposer@test.local", Role.PROCTOR)
    assignments.proctor_assign(actor=c.world.registrar, user=other, exam=c.exam)
    attempts.attempt_decide(
        actor=other,
        attempt_id=c.classmate_attempt.pk,
        decision=Decision.CANCEL,
        category="another_person",
        comment="Proposed for the battery",
    )


def open_proposal_id(c: Cast) -> int:
    return DecisionProposal.objects.get(attempt=c.classmate_attempt, status=ProposalStatus.OPEN).pk


def snapshot_due(p: ProctoredCast) -> None:
    """The fixture's snapshot was taken a moment ago: let the next one be due."""
    Session.objects.filter(attempt=p.attempt).update(last_snapshot_at=None)


def answer_content() -> dict:
    return {
        "content": {"doc": {"type": "doc", "content": [{"type": "paragraph"}]}},
        "base_version": 1,
        "key": "battery-1",
    }


# Who sees a sitting's picture by its attempt's path, and who by its key.
PICTURE_BY_PATH = dict(student=OK, teacher=OK, head=OK, proctor=OK, registrar=OK)
PICTURE_BY_KEY = dict(PICTURE_BY_PATH, grader=OK)
# The teacher's exam pages: the exam's teachers and staff; to anyone else it does not exist.
MANAGER = dict(teacher=OK, registrar=OK)
PROCTORS = dict(proctor=OK, unassigned_proctor=OK, registrar=OK)
REDIRECT = Expect(302)

CASES: list[Case] = [
    # --- accounts and the site -----------------------------------------------------------
    Case(
        "home",
        u("home"),
        expect(
            REDIRECT,
            student=Expect(302, "/sitting/"),
            classmate=Expect(302, "/sitting/"),
            other_group_student=Expect(302, "/sitting/"),
            teacher=Expect(302, "/exam-forms/"),
            other_faculty_teacher=Expect(302, "/exam-forms/"),
            head=Expect(302, "/exam-forms/review/"),
            other_head=Expect(302, "/exam-forms/review/"),
            proctor=Expect(302, "/sitting/proctor/"),
            unassigned_proctor=Expect(302, "/sitting/proctor/"),
            grader=Expect(302, "/exams/marking/"),
            unassigned_grader=Expect(302, "/exams/marking/"),
            registrar=Expect(302, "/exam-forms/export/"),
        ),
    ),
    Case("healthz", u("healthz"), expect(OK, anonymous=OK)),
    # A logged-in person is sent on from the log-in page.
    Case("login", u("login"), expect(REDIRECT, anonymous=OK)),
    Case("logout", u("logout"), expect(REDIRECT, anonymous=REDIRECT), method="post"),
    Case("time_zone", u("time_zone"), expect(OK)),
    Case("password_change", u("password_change"), expect(OK)),
    Case("password_reset", u("password_reset"), expect(OK, anonymous=OK)),
    Case("password_reset_done", u("password_reset_done"), expect(OK, anonymous=OK)),
    Case(
        "password_reset_confirm",
        lambda c: reverse("password_reset_confirm", args=["MQ", "set-password"]),
        expect(OK, anonymous=OK),
    ),
    Case("password_reset_complete", u("password_reset_complete"), expect(OK, anonymous=OK)),
    Case(
        "set_language",
        u("set_language"),
        expect(REDIRECT, anonymous=REDIRECT),
        method="post",
        data=lambda c: {"language": "ru", "next": "/"},
    ),
    # --- UMKD ----------------------------------------------------------------------------
    Case(
        "umkd:my_disciplines",
        u("umkd:my_disciplines"),
        expect(OK, teacher=Expect(200, shows=True)),
        marker=lambda c: c.world.algebra.name,
    ),
    Case(
        "umkd:discipline_materials",
        u("umkd:discipline_materials", lambda c: c.world.algebra.pk),
        expect(DENIED, teacher=OK, head=OK, registrar=OK),
    ),
    Case(
        "umkd:discipline_materials",
        u("umkd:discipline_materials", lambda c: c.world.anatomy.pk),
        expect(DENIED, other_faculty_teacher=OK, other_head=OK, registrar=OK),
    ),
    Case(
        "umkd:discipline_materials",
        u("umkd:discipline_materials", lambda c: c.world.algebra.pk),
        expect(DENIED, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {
            "section": "syllabus",
            "title": "Battery",
            "file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
        },
        effect=lambda c: MaterialVersion.objects.filter(material__title="Battery").exists(),
    ),
    Case(
        "umkd:download",
        u("umkd:download", lambda c: c.version.pk),
        expect(DENIED, teacher=OK, head=OK, registrar=OK),
    ),
    Case(
        "umkd:download",
        u("umkd:download", lambda c: c.other_version.pk),
        expect(DENIED, other_faculty_teacher=OK, other_head=OK, registrar=OK),
    ),
    # --- exam forms ------------------------------------------------------------------------
    Case(
        "examforms:teacher_list",
        u("examforms:teacher_list"),
        expect(DENIED, teacher=OK, other_faculty_teacher=OK),
    ),
    Case(
        "examforms:choice_edit",
        u("examforms:choice_edit", lambda c: c.world.algebra.pk, lambda c: c.world.g1.pk),
        expect(DENIED, teacher=OK),
    ),
    Case(
        "examforms:choice_edit",
        u("examforms:choice_edit", lambda c: c.world.anatomy.pk, lambda c: c.world.med_group.pk),
        expect(DENIED, other_faculty_teacher=OK),
    ),
    Case(
        "examforms:review",
        u("examforms:review"),
        expect(DENIED, head=Expect(200, shows=True), other_head=OK),
        marker=lambda c: c.world.g2.code,
    ),
    Case(
        "examforms:review_choice",
        u("examforms:review_choice", lambda c: c.submitted_choice.pk),
        expect(DENIED, head=OK),
    ),
    Case(
        "examforms:review_choice",
        u("examforms:review_choice", lambda c: c.submitted_choice.pk),
        expect(DENIED, head=Expect(204, wrote=True)),
        method="post",
        data=lambda c: {"action": "approve", "revision": c.submitted_choice.revision},
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).status == ChoiceStatus.APPROVED
        ),
    ),
    Case(
        "examforms:review_bulk",
        u("examforms:review_bulk"),
        # The door is the head's review; each choice is then the policy's: only its head.
        expect(DENIED, head=Expect(302, wrote=True), other_head=REDIRECT),
        method="post",
        data=lambda c: {
            "selected": f"{c.submitted_choice.pk}:{c.submitted_choice.revision}",
            "decision": "approve",
        },
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).status == ChoiceStatus.APPROVED
        ),
    ),
    Case(
        "examforms:export",
        u("examforms:export"),
        expect(DENIED, head=OK, other_head=OK, registrar=OK),
    ),
    Case(
        "examforms:export",
        lambda c: reverse("examforms:export") + f"?scope=department:{c.world.anat.pk}",
        expect(DENIED, other_head=OK, registrar=OK),
    ),
    Case(
        "examforms:export",
        lambda c: reverse("examforms:export") + f"?scope=faculty:{c.world.it_faculty.pk}",
        expect(DENIED, registrar=OK),
    ),
    # --- the registry import ----------------------------------------------------------------
    Case("university:import_list", u("university:import_list"), expect(DENIED, registrar=OK)),
    Case(
        "university:import_detail",
        u("university:import_detail", lambda c: c.import_job.pk),
        expect(DENIED, registrar=OK),
    ),
    Case(
        "university:import_rerun",
        u("university:import_rerun", lambda c: c.import_job.pk),
        expect(DENIED, registrar=Expect(302, wrote=True)),
        method="post",
        effect=lambda c: ImportJob.objects.count() == 2,
    ),
    # --- exams: the teacher's pages -----------------------------------------------------------
    Case(
        "exams:list",
        u("exams:list"),
        expect(
            DENIED,
            teacher=Expect(200, shows=True),
            other_faculty_teacher=OK,
            registrar=Expect(200, shows=True),
        ),
        marker=lambda c: c.draft.title,
    ),
    Case(
        "exams:create",
        u("exams:create", lambda c: c.ready_choice.pk),
        expect(MISSING, **MANAGER),
    ),
    Case("exams:detail", u("exams:detail", draft_id), expect(MISSING, **MANAGER)),
    Case(
        "exams:detail",
        u("exams:detail", other_exam_id),
        expect(MISSING, other_faculty_teacher=OK, registrar=OK),
    ),
    Case("exams:edit", u("exams:edit", draft_id), expect(MISSING, **MANAGER)),
    Case(
        "exams:publish",
        u("exams:publish", draft_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        prepare=publishable,
        effect=published,
    ),
    Case(
        "exams:delete",
        u("exams:delete", draft_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        effect=lambda c: not Exam.objects.filter(pk=c.draft.pk).exists(),
    ),
    Case(
        "exams:delete",
        # Not confirmed yet: the page that asks, and only to those who may delete.
        u("exams:delete", draft_id),
        expect(MISSING, **MANAGER),
        method="post",
        effect=lambda c: not Exam.objects.filter(pk=c.draft.pk).exists(),
    ),
    Case(
        "exams:question_create",
        u("exams:question_create", draft_id, lambda c: "single"),
        expect(MISSING, **MANAGER),
    ),
    Case(
        "exams:question_edit",
        u("exams:question_edit", draft_id, lambda c: c.question.pk),
        expect(MISSING, **MANAGER),
    ),
    Case(
        "exams:question_delete",
        u("exams:question_delete", draft_id, lambda c: c.question.pk),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        effect=lambda c: not Question.objects.filter(pk=c.question.pk).exists(),
    ),
    Case(
        "exams:pool_create",
        u("exams:pool_create", draft_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"name": "Battery pool", "pick": 1},
        effect=lambda c: Pool.objects.filter(name="Battery pool").exists(),
    ),
    Case(
        "exams:pool_edit",
        u("exams:pool_edit", draft_id, lambda c: c.pool.pk),
        expect(MISSING, **MANAGER),
    ),
    Case(
        "exams:pool_delete",
        u("exams:pool_delete", draft_id, lambda c: c.empty_pool.pk),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        effect=lambda c: not Pool.objects.filter(pk=c.empty_pool.pk).exists(),
    ),
    Case(
        "exams:accommodation_set",
        u("exams:accommodation_set", draft_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {
            "student": c.user("other_group_student").student.pk,
            "extra_minutes": 45,
            "reason": "",
        },
        effect=lambda c: Accommodation.objects.filter(extra_minutes=45).exists(),
    ),
    Case(
        "exams:accommodation_delete",
        u("exams:accommodation_delete", draft_id, lambda c: c.accommodation.pk),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        effect=lambda c: not Accommodation.objects.filter(pk=c.accommodation.pk).exists(),
    ),
    Case("exams:import", u("exams:import", draft_id), expect(MISSING, **MANAGER)),
    Case(
        "exams:import_detail",
        u("exams:import_detail", draft_id, lambda c: c.question_import.pk),
        expect(MISSING, **MANAGER),
    ),
    # --- exams: graders and the registrar's assignments ------------------------------------
    Case(
        "exams:grader_home",
        u("exams:grader_home"),
        expect(DENIED, grader=Expect(200, shows=True), unassigned_grader=OK),
        marker=lambda c: c.exam.title,
    ),
    Case("exams:assignments", u("exams:assignments"), expect(DENIED, registrar=OK)),
    Case(
        "exams:assignments",
        u("exams:assignments"),
        expect(DENIED, registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {
            "form": "grader",
            "grader-user": c.user("unassigned_grader").pk,
            "grader-exam": c.exam.pk,
        },
        effect=lambda c: ExamGrader.objects.filter(user=c.user("unassigned_grader")).exists(),
    ),
    Case(
        "exams:assignment_delete",
        u("exams:assignment_delete", lambda c: "exam-grader", lambda c: c.exam_grader.pk),
        expect(DENIED, registrar=OK),
    ),
    Case(
        "exams:assignment_delete",
        u("exams:assignment_delete", lambda c: "exam-grader", lambda c: c.exam_grader.pk),
        expect(DENIED, registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        effect=lambda c: not ExamGrader.objects.filter(pk=c.exam_grader.pk).exists(),
    ),
    # --- the sitting: students ------------------------------------------------------------------
    # Lists of one's own: every logged-in person may open them; they list only their own.
    Case(
        "attempts:home",
        u("attempts:home"),
        # The home page lists what can be started or continued: the classmate has finished.
        expect(OK, student=Expect(200, shows=True)),
        marker=lambda c: c.exam.title,
    ),
    Case(
        "attempts:exams",
        u("attempts:exams"),
        expect(OK, student=Expect(200, shows=True), classmate=Expect(200, shows=True)),
        marker=lambda c: c.exam.title,
    ),
    Case("attempts:exam", u("attempts:exam", exam_id), expect(MISSING, student=OK, classmate=OK)),
    Case(
        "attempts:exam",
        u("attempts:exam", other_exam_id),
        expect(MISSING),
    ),
    Case(
        "attempts:exam",
        u("attempts:exam", exam_id),
        # Starting is idempotent: both already sit it and are sent back to their sitting.
        expect(
            MISSING,
            student=Expect(302, "/sitting/"),
            classmate=Expect(302, "/sitting/"),
        ),
        method="post",
    ),
    Case(
        "attempts:sitting",
        u("attempts:sitting", lambda c: c.attempt.pk),
        expect(MISSING, student=OK),
    ),
    Case(
        "attempts:finished",
        u("attempts:finished", lambda c: c.classmate_attempt.pk),
        expect(MISSING, classmate=OK),
    ),
    Case(
        "attempts:picture",
        u("attempts:picture", lambda c: c.attempt.pk, lambda c: c.picture.pk),
        expect(MISSING, **PICTURE_BY_PATH),
    ),
    Case(
        "attempts:picture_by_key",
        u("attempts:picture_by_key", lambda c: c.picture.key),
        expect(MISSING, **PICTURE_BY_KEY),
    ),
    # --- the sitting: proctors ----------------------------------------------------------------
    Case(
        "attempts:proctor_exams",
        u("attempts:proctor_exams"),
        expect(
            DENIED,
            proctor=Expect(200, shows=True),
            unassigned_proctor=OK,
            registrar=Expect(200, shows=True),
        ),
        marker=lambda c: c.exam.title,
    ),
    Case(
        "attempts:decisions",
        u("attempts:decisions"),
        expect(
            DENIED,
            proctor=Expect(200, shows=True),
            unassigned_proctor=OK,
            registrar=Expect(200, shows=True),
        ),
        marker=lambda c: c.user("classmate").full_name,
    ),
    Case(
        "attempts:exam_attempts",
        u("attempts:exam_attempts", exam_id),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
    ),
    Case(
        "attempts:decide",
        # A cancel is proposed (a second reviewer confirms it): no question asked yet.
        u("attempts:decide", lambda c: c.classmate_attempt.pk),
        expect(
            DENIED,
            proctor=Expect(302, wrote=True),
            unassigned_proctor=MISSING,
            registrar=Expect(302, wrote=True),
        ),
        method="post",
        data=lambda c: {"choice": "cancel:another_person", "comment": "Battery"},
        effect=lambda c: DecisionProposal.objects.filter(attempt=c.classmate_attempt).exists(),
    ),
    Case(
        "attempts:decide",
        # An accept is final at once.
        u("attempts:decide", lambda c: c.classmate_attempt.pk),
        expect(
            DENIED,
            proctor=Expect(302, wrote=True),
            unassigned_proctor=MISSING,
            registrar=Expect(302, wrote=True),
        ),
        method="post",
        data=lambda c: {"choice": "continue:no_violation", "comment": ""},
        effect=lambda c: (
            Attempt.objects.get(pk=c.classmate_attempt.pk).decision == Decision.CONTINUE
        ),
    ),
    Case(
        "attempts:decide",
        # Still in progress: the proctor is told to wait; nothing is decided.
        u("attempts:decide", lambda c: c.attempt.pk),
        expect(DENIED, proctor=REDIRECT, unassigned_proctor=MISSING, registrar=REDIRECT),
        method="post",
        data=lambda c: {"choice": "continue:no_violation", "comment": ""},
        effect=lambda c: Attempt.objects.get(pk=c.attempt.pk).decision == Decision.CONTINUE,
    ),
    Case(
        "attempts:review_proposal",
        # A second reviewer confirms a cancel another proctor proposed (after the question).
        u("attempts:review_proposal", open_proposal_id),
        expect(
            DENIED,
            proctor=Expect(302, wrote=True),
            unassigned_proctor=MISSING,
            registrar=Expect(302, wrote=True),
        ),
        method="post",
        data=lambda c: {"action": "confirm", "note": "Battery", **CONFIRMED},
        prepare=proposed_cancel,
        effect=lambda c: Attempt.objects.get(pk=c.classmate_attempt.pk).decision == Decision.CANCEL,
    ),
    Case(
        "attempts:review_proposal",
        # Confirming a cancel asks first, and only those who may review are asked.
        u("attempts:review_proposal", open_proposal_id),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
        method="post",
        data=lambda c: {"action": "confirm", "note": "Battery"},
        prepare=proposed_cancel,
        effect=lambda c: Attempt.objects.get(pk=c.classmate_attempt.pk).decision == Decision.CANCEL,
    ),
    Case(
        "attempts:review_proposal",
        # Rejecting keeps the sitting as it was, with the note.
        u("attempts:review_proposal", open_proposal_id),
        expect(
            DENIED,
            proctor=Expect(302, wrote=True),
            unassigned_proctor=MISSING,
            registrar=Expect(302, wrote=True),
        ),
        method="post",
        data=lambda c: {"action": "reject", "note": "Battery"},
        prepare=proposed_cancel,
        effect=lambda c: DecisionProposal.objects.filter(
            attempt=c.classmate_attempt, status=ProposalStatus.REJECTED
        ).exists(),
    ),
    # --- the API's own pages --------------------------------------------------------------------
    Case("api:openapi-json", u("api:openapi-json"), expect(OK, anonymous=OK)),
    Case("api:openapi-view", u("api:openapi-view"), expect(OK, anonymous=OK)),
    Case("api:api-root", u("api:api-root"), expect(MISSING, anonymous=MISSING)),
    # --- API: exam forms -----------------------------------------------------------------------
    Case("GET /api/v1/exam-forms/rules", path("/api/v1/exam-forms/rules"), api(OK)),
    Case(
        "GET /api/v1/exam-forms/options",
        lambda c: f"/api/v1/exam-forms/options?discipline_id={c.world.algebra.pk}",
        api(OK),
    ),
    Case(
        "GET /api/v1/exam-forms/my-rows",
        path("/api/v1/exam-forms/my-rows"),
        api(OK, teacher=Expect(200, shows=True)),
        marker=lambda c: c.world.g2.code,
    ),
    Case(
        "PUT /api/v1/exam-forms/choices",
        path("/api/v1/exam-forms/choices"),
        api(DENIED, teacher=Expect(200, wrote=True)),
        method="put",
        json=True,
        data=lambda c: {
            "discipline_id": c.world.physics.pk,
            "group_id": c.world.g2.pk,
            "platform": "OQYLYQ",
            "form": "WRITTEN",
            "exam_type": "TRADITIONAL",
            "programme_id": c.submitted_choice.programme_id,
            "additional_info": "",
            "expected_revision": c.submitted_choice.revision,
        },
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).revision
            > c.submitted_choice.revision
        ),
    ),
    Case(
        "GET /api/v1/exam-forms/choices/{choice_id}",
        path("/api/v1/exam-forms/choices/{id}", id=lambda c: c.choice.pk),
        api(MISSING, teacher=OK, head=OK, registrar=OK),
    ),
    Case(
        "GET /api/v1/exam-forms/choices/{choice_id}/history",
        path("/api/v1/exam-forms/choices/{id}/history", id=lambda c: c.choice.pk),
        api(MISSING, teacher=OK, head=OK, registrar=OK),
    ),
    Case(
        "POST /api/v1/exam-forms/choices/{choice_id}/approve",
        path("/api/v1/exam-forms/choices/{id}/approve", id=lambda c: c.submitted_choice.pk),
        api(DENIED, head=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"expected_revision": c.submitted_choice.revision},
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).status == ChoiceStatus.APPROVED
        ),
    ),
    Case(
        "POST /api/v1/exam-forms/choices/{choice_id}/return",
        path("/api/v1/exam-forms/choices/{id}/return", id=lambda c: c.submitted_choice.pk),
        api(DENIED, head=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"expected_revision": c.submitted_choice.revision, "comment": "Fix it"},
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).status == ChoiceStatus.RETURNED
        ),
    ),
    Case(
        "POST /api/v1/exam-forms/choices/{choice_id}/reopen",
        path("/api/v1/exam-forms/choices/{id}/reopen", id=lambda c: c.ready_choice.pk),
        api(DENIED, head=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"comment": "Wrong platform"},
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.ready_choice.pk).status != ChoiceStatus.APPROVED
        ),
    ),
    Case(
        "GET /api/v1/exam-forms/review",
        path("/api/v1/exam-forms/review"),
        api(DENIED, head=Expect(200, shows=True), other_head=OK),
        marker=lambda c: c.world.g2.code,
    ),
    Case(
        "POST /api/v1/exam-forms/review/bulk",
        path("/api/v1/exam-forms/review/bulk"),
        # Each item is decided by the policy: everybody gets the list of what failed.
        api(OK, head=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {
            "decision": "approve",
            "items": [[c.submitted_choice.pk, c.submitted_choice.revision]],
        },
        effect=lambda c: (
            ExamFormChoice.objects.get(pk=c.submitted_choice.pk).status == ChoiceStatus.APPROVED
        ),
    ),
    # --- API: UMKD ------------------------------------------------------------------------------
    Case(
        "GET /api/v1/umkd/disciplines/{discipline_id}/materials",
        path("/api/v1/umkd/disciplines/{id}/materials", id=lambda c: c.world.algebra.pk),
        api(DENIED, teacher=OK, head=OK, registrar=OK),
    ),
    Case(
        "GET /api/v1/umkd/disciplines/{discipline_id}/materials",
        path("/api/v1/umkd/disciplines/{id}/materials", id=lambda c: c.world.anatomy.pk),
        api(DENIED, other_faculty_teacher=OK, other_head=OK, registrar=OK),
    ),
    Case(
        "POST /api/v1/umkd/disciplines/{discipline_id}/materials",
        path("/api/v1/umkd/disciplines/{id}/materials", id=lambda c: c.world.algebra.pk),
        api(DENIED, teacher=Expect(201, wrote=True), registrar=Expect(201, wrote=True)),
        method="post",
        data=lambda c: {
            "section": "syllabus",
            "title": "Battery",
            "file": SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf"),
        },
        effect=lambda c: MaterialVersion.objects.filter(material__title="Battery").exists(),
    ),
    Case(
        "GET /api/v1/umkd/disciplines/{discipline_id}/programmes",
        path("/api/v1/umkd/disciplines/{id}/programmes", id=lambda c: c.world.algebra.pk),
        api(DENIED, teacher=OK, head=OK, registrar=OK),
    ),
    # --- API: exams -----------------------------------------------------------------------------
    Case(
        "GET /api/v1/exams/",
        path("/api/v1/exams/"),
        # Everybody gets their own list; only the exam's managers find the exam in it.
        api(OK, teacher=Expect(200, shows=True), registrar=Expect(200, shows=True)),
        marker=lambda c: c.draft.title,
    ),
    Case(
        "POST /api/v1/exams/",
        path("/api/v1/exams/"),
        api(DENIED, teacher=Expect(201, wrote=True), registrar=Expect(201, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {
            "choice_id": c.ready_choice.pk,
            "title": "Physics final",
            "opens_at": (c.draft.opens_at).isoformat(),
            "closes_at": (c.draft.closes_at).isoformat(),
            "duration_minutes": 60,
        },
        effect=lambda c: Exam.objects.filter(title="Physics final").exists(),
    ),
    Case(
        "GET /api/v1/exams/choices",
        path("/api/v1/exams/choices"),
        api(OK, teacher=Expect(200, shows=True), registrar=Expect(200, shows=True)),
        marker=lambda c: c.world.physics.code,
    ),
    Case(
        "GET /api/v1/exams/{exam_id}",
        path("/api/v1/exams/{id}", id=draft_id),
        api(MISSING, **MANAGER),
    ),
    Case(
        "GET /api/v1/exams/{exam_id}",
        path("/api/v1/exams/{id}", id=other_exam_id),
        api(MISSING, other_faculty_teacher=OK, registrar=OK),
    ),
    Case(
        "PATCH /api/v1/exams/{exam_id}",
        path("/api/v1/exams/{id}", id=draft_id),
        api(MISSING, teacher=Expect(200, wrote=True), registrar=Expect(200, wrote=True)),
        method="patch",
        json=True,
        data=lambda c: {"title": "Renamed by the battery"},
        effect=lambda c: Exam.objects.filter(title="Renamed by the battery").exists(),
    ),
    Case(
        "POST /api/v1/exams/{exam_id}/publish",
        path("/api/v1/exams/{id}/publish", id=draft_id),
        api(MISSING, teacher=Expect(200, wrote=True), registrar=Expect(200, wrote=True)),
        method="post",
        prepare=publishable,
        effect=published,
    ),
    Case(
        "POST /api/v1/exams/{exam_id}/unpublish",
        # A draft cannot be withdrawn: its managers are told so (409), others find nothing.
        path("/api/v1/exams/{id}/unpublish", id=draft_id),
        api(MISSING, teacher=Expect(409), registrar=Expect(409)),
        method="post",
    ),
    Case(
        "GET /api/v1/exams/{exam_id}/questions",
        path("/api/v1/exams/{id}/questions", id=draft_id),
        api(MISSING, **MANAGER),
    ),
    Case(
        "POST /api/v1/exams/{exam_id}/questions",
        path("/api/v1/exams/{id}/questions", id=draft_id),
        api(MISSING, teacher=Expect(201, wrote=True), registrar=Expect(201, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"kind": "written", "body": "<p>Battery question</p>"},
        effect=lambda c: Question.objects.filter(body__contains="Battery question").exists(),
    ),
    Case(
        "PUT /api/v1/exams/{exam_id}/questions/{question_id}",
        path("/api/v1/exams/{id}/questions/{q}", id=draft_id, q=lambda c: c.question.pk),
        api(MISSING, teacher=Expect(200, wrote=True), registrar=Expect(200, wrote=True)),
        method="put",
        json=True,
        data=lambda c: {
            "kind": "true_false",
            "body": "<p>Battery edit</p>",
            "spec": {"correct": False},
            "pool_id": c.pool.pk,
        },
        effect=lambda c: Question.objects.filter(body__contains="Battery edit").exists(),
    ),
    Case(
        "DELETE /api/v1/exams/{exam_id}/questions/{question_id}",
        path("/api/v1/exams/{id}/questions/{q}", id=draft_id, q=lambda c: c.question.pk),
        api(MISSING, teacher=Expect(204, wrote=True), registrar=Expect(204, wrote=True)),
        method="delete",
        effect=lambda c: not Question.objects.filter(pk=c.question.pk).exists(),
    ),
    Case(
        "POST /api/v1/exams/{exam_id}/pools",
        path("/api/v1/exams/{id}/pools", id=draft_id),
        api(MISSING, teacher=Expect(201, wrote=True), registrar=Expect(201, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"name": "Battery pool", "pick": 1},
        effect=lambda c: Pool.objects.filter(name="Battery pool").exists(),
    ),
    Case(
        "POST /api/v1/exams/{exam_id}/import",
        path("/api/v1/exams/{id}/import", id=draft_id),
        api(MISSING, teacher=Expect(200, wrote=True), registrar=Expect(200, wrote=True)),
        method="post",
        data=lambda c: {
            "fmt": "gift",
            "file": SimpleUploadedFile("q.gift", b"::Battery import:: 2 + 2 = 4 {T}\n"),
        },
        effect=lambda c: Question.objects.filter(name="Battery import").exists(),
    ),
    Case(
        "GET /api/v1/exams/{exam_id}/imports/{import_id}",
        path("/api/v1/exams/{id}/imports/{i}", id=draft_id, i=lambda c: c.question_import.pk),
        api(MISSING, **MANAGER),
    ),
    # --- proctoring (the ``proctored`` cast: Physics, recorded; see emtihan/conftest.py) ------
    Case(
        "proctoring:log",
        u("proctoring:log", lambda p: p.exam.pk),
        # What was recorded about oneself: the exam's two students; to anyone else the
        # page does not exist.
        expect(MISSING, student=OK, classmate=OK),
    ),
    # Before the exam (consent, device and identity check, rules and Start): the exam's
    # students; 403 to anyone who is not a student, 404 to a student of another group.
    Case(
        "proctoring:precheck",
        u("proctoring:precheck", lambda p: p.exam.pk),
        expect(DENIED, student=OK, classmate=OK, other_group_student=MISSING),
    ),
    Case(
        "proctoring:precheck_consent",
        u("proctoring:precheck_consent", lambda p: p.exam.pk),
        # Both students have agreed already (a second consent keeps the first).
        expect(DENIED, student=Expect(302), classmate=Expect(302), other_group_student=MISSING),
        method="post",
        data=lambda p: {"version": consent_version(p.exam), "language": "en"},
    ),
    Case(
        "proctoring:media",
        u("proctoring:media", lambda p: "snapshot", lambda p: p.snapshot.pk),
        # The student it is about, the exam's proctors, staff; never teachers, heads or
        # graders.
        expect(MISSING, student=OK, proctor=OK, registrar=OK),
    ),
    # The proctor's console and an attempt's review: the exam's proctors and staff; other
    # proctors do not learn the exam or attempt exists; everyone else is not a proctor.
    Case(
        "proctoring:console",
        u("proctoring:console", lambda p: p.exam.pk),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
    ),
    Case(
        "proctoring:console_rows",
        u("proctoring:console_rows", lambda p: p.exam.pk),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
    ),
    Case(
        "proctoring:review",
        u("proctoring:review", lambda p: p.attempt.pk),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
    ),
    Case(
        "proctoring:identity_decision",
        u("proctoring:identity_decision", lambda p: p.attempt.pk),
        expect(DENIED, proctor=Expect(302), unassigned_proctor=MISSING, registrar=Expect(302)),
        method="post",
        data=lambda p: {"decision": "approve", "reason": "Battery"},
    ),
    Case(
        "proctoring:flag_review",
        u("proctoring:flag_review", lambda p: Flag.objects.get(attempt=p.attempt).pk),
        expect(
            DENIED,
            proctor=Expect(302, wrote=True),
            unassigned_proctor=MISSING,
            registrar=Expect(302, wrote=True),
        ),
        method="post",
        data=lambda p: {"status": "dismissed", "note": "Battery"},
        prepare=lambda p: Flag.objects.create(
            attempt=p.attempt,
            kind="tab_hidden",
            started_at=p.attempt.started_at,
            ended_at=p.attempt.started_at,
            metric="seconds",
            value=8,
            threshold=5,
            created_at=p.attempt.started_at,
        ),
        effect=lambda p: Flag.objects.filter(attempt=p.attempt, status="dismissed").exists(),
    ),
    # A student's identity page (before their sitting): the same people as the review.
    Case(
        "proctoring:identity",
        u("proctoring:identity", lambda p: p.classmate_session.pk),
        expect(DENIED, proctor=OK, unassigned_proctor=MISSING, registrar=OK),
    ),
    Case(
        "proctoring:identity",
        u("proctoring:identity", lambda p: p.classmate_session.pk),
        expect(DENIED, proctor=Expect(302), unassigned_proctor=MISSING, registrar=Expect(302)),
        method="post",
        data=lambda p: {"decision": "approve", "reason": "Battery"},
    ),
    Case(
        "GET /api/v1/proctoring/exams/{exam_id}",
        path("/api/v1/proctoring/exams/{id}", id=lambda p: p.exam.pk),
        api(DENIED, student=OK, classmate=OK, other_group_student=MISSING),
    ),
    Case(
        "POST /api/v1/proctoring/exams/{exam_id}/consent",
        path("/api/v1/proctoring/exams/{id}/consent", id=lambda p: p.exam.pk),
        api(DENIED, student=OK, classmate=OK, other_group_student=MISSING),
        method="post",
        json=True,
        data=lambda p: {"version": consent_version(p.exam), "language": "en"},
    ),
    Case(
        "POST /api/v1/proctoring/exams/{exam_id}/device-check",
        path("/api/v1/proctoring/exams/{id}/device-check", id=lambda p: p.exam.pk),
        api(
            DENIED,
            student=Expect(200, wrote=True),
            classmate=OK,
            other_group_student=MISSING,
        ),
        method="post",
        json=True,
        data=lambda p: {"camera": "ok", "microphone": "ok"},
        effect=lambda p: Session.objects.get(attempt=p.attempt).device_ok,
    ),
    Case(
        "POST /api/v1/proctoring/exams/{exam_id}/identity-checks",
        path("/api/v1/proctoring/exams/{id}/identity-checks", id=lambda p: p.exam.pk),
        # The classmate gets the check they are collecting frames for.
        api(
            DENIED,
            student=Expect(201, wrote=True),
            classmate=Expect(201),
            other_group_student=MISSING,
        ),
        method="post",
        effect=lambda p: Session.objects.get(attempt=p.attempt).identity_checks.exists(),
    ),
    Case(
        "GET /api/v1/proctoring/identity-checks/{check_id}",
        path("/api/v1/proctoring/identity-checks/{id}", id=lambda p: p.check.pk),
        api(MISSING, classmate=OK),
    ),
    Case(
        "POST /api/v1/proctoring/identity-checks/{check_id}/frames",
        path("/api/v1/proctoring/identity-checks/{id}/frames", id=lambda p: p.check.pk),
        api(MISSING, classmate=Expect(201, wrote=True)),
        method="post",
        data=lambda p: {"step": p.check.steps[0], "file": jpeg_upload()},
        effect=lambda p: p.check.frames.exists(),
    ),
    Case(
        "POST /api/v1/proctoring/identity-checks/{check_id}/submit",
        # No frames yet: its owner is told so (400); nobody else learns it exists.
        path("/api/v1/proctoring/identity-checks/{id}/submit", id=lambda p: p.check.pk),
        api(MISSING, classmate=Expect(400)),
        method="post",
    ),
    Case(
        "GET /api/v1/proctoring/exams/{exam_id}/log",
        path("/api/v1/proctoring/exams/{id}/log", id=lambda p: p.exam.pk),
        api(DENIED, student=OK, classmate=OK, other_group_student=MISSING),
    ),
    Case(
        "POST /api/v1/proctoring/attempts/{attempt_id}/snapshots",
        path("/api/v1/proctoring/attempts/{id}/snapshots", id=lambda p: p.attempt.pk),
        api(MISSING, student=Expect(202, wrote=True)),
        method="post",
        data=lambda p: {"taken_at": p.attempt.started_at.isoformat(), "file": jpeg_upload()},
        prepare=snapshot_due,
        effect=lambda p: p.attempt.snapshots.count() == 2,
    ),
    Case(
        "POST /api/v1/proctoring/attempts/{attempt_id}/events",
        path("/api/v1/proctoring/attempts/{id}/events", id=lambda p: p.attempt.pk),
        api(MISSING, student=Expect(202, wrote=True)),
        method="post",
        json=True,
        data=lambda p: {
            "events": [{"kind": "window_blur", "at": p.attempt.started_at.isoformat()}]
        },
        effect=lambda p: Session.objects.get(attempt=p.attempt).events.exists(),
    ),
    Case(
        "POST /api/v1/proctoring/attempts/{attempt_id}/detections",
        path("/api/v1/proctoring/attempts/{id}/detections", id=lambda p: p.attempt.pk),
        api(MISSING, student=Expect(202, wrote=True)),
        method="post",
        data=lambda p: {
            "kind": "no_face",
            "at": p.attempt.started_at.isoformat(),
            "file": jpeg_upload(),
        },
        effect=lambda p: Session.objects.get(attempt=p.attempt).events.exists(),
    ),
    Case(
        "POST /api/v1/proctoring/attempts/{attempt_id}/clips",
        path("/api/v1/proctoring/attempts/{id}/clips", id=lambda p: p.attempt.pk),
        api(MISSING, student=Expect(202, wrote=True)),
        method="post",
        data=lambda p: {"started_at": p.attempt.started_at.isoformat(), "file": wav_upload()},
        effect=lambda p: Session.objects.get(attempt=p.attempt).clips.exists(),
    ),
    Case(
        "POST /api/v1/proctoring/sessions/{session_id}/identity-decision",
        # The classmate's check is still collecting: there is nothing to decide yet (409)
        # for the exam's proctors and staff; to anyone else the session does not exist.
        path(
            "/api/v1/proctoring/sessions/{id}/identity-decision",
            id=lambda p: p.classmate_session.pk,
        ),
        api(DENIED, proctor=Expect(409), registrar=Expect(409)),
        method="post",
        json=True,
        data=lambda p: {"decision": "approve", "reason": "Known to the proctor"},
    ),
    # --- API: the sitting -------------------------------------------------------------------------
    Case(
        "POST /api/v1/attempts/start",
        path("/api/v1/attempts/start"),
        # Idempotent for the two students of the group, who already sit it.
        api(DENIED, student=OK, classmate=OK),
        method="post",
        json=True,
        data=lambda c: {"exam_id": c.exam.pk},
    ),
    Case(
        "GET /api/v1/attempts/{attempt_id}",
        path("/api/v1/attempts/{id}", id=lambda c: c.attempt.pk),
        api(MISSING, student=OK),
    ),
    Case(
        "PUT /api/v1/attempts/{attempt_id}/answers/{question_id}/draft",
        path("/api/v1/attempts/{id}/answers/{q}/draft", id=lambda c: c.attempt.pk, q=written_id),
        api(MISSING, student=Expect(200, wrote=True)),
        method="put",
        json=True,
        data=lambda c: answer_content(),
        effect=lambda c: c.attempt.answers.get().draft_version == 2,
    ),
    Case(
        "POST /api/v1/attempts/{attempt_id}/answers/{question_id}/send",
        path("/api/v1/attempts/{id}/answers/{q}/send", id=lambda c: c.attempt.pk, q=written_id),
        api(MISSING, student=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: answer_content(),
        effect=lambda c: c.attempt.answers.get().sent_number == 1,
    ),
    Case(
        "POST /api/v1/attempts/{attempt_id}/pictures",
        path("/api/v1/attempts/{id}/pictures", id=lambda c: c.attempt.pk),
        api(MISSING, student=Expect(201, wrote=True)),
        method="post",
        data=lambda c: {"file": png()},
        effect=lambda c: Picture.objects.count() == 2,
    ),
    Case(
        "POST /api/v1/attempts/{attempt_id}/heartbeat",
        path("/api/v1/attempts/{id}/heartbeat", id=lambda c: c.attempt.pk),
        api(MISSING, student=OK),
        method="post",
    ),
    Case(
        "POST /api/v1/attempts/{attempt_id}/finish",
        path("/api/v1/attempts/{id}/finish", id=lambda c: c.attempt.pk),
        api(MISSING, student=Expect(200, wrote=True)),
        method="post",
        json=True,
        data=lambda c: {"key": "battery"},
        effect=lambda c: Attempt.objects.get(pk=c.attempt.pk).status == "finished",
    ),
    Case(
        "POST /api/v1/attempts/{attempt_id}/finish",
        path("/api/v1/attempts/{id}/finish", id=lambda c: c.classmate_attempt.pk),
        api(MISSING, classmate=OK),
        method="post",
        json=True,
        data=lambda c: {"key": "battery"},
    ),
    # --- marking and results (grading) ----------------------------------------------------------
    # Graders of the exam mark its works by code; other graders get 404, everyone else 403.
    Case(
        "grading:pile",
        u("grading:pile", exam_id),
        expect(DENIED, grader=Expect(200, shows=True), unassigned_grader=MISSING),
        marker=lambda c: work_code(c),
    ),
    Case(
        "grading:work",
        u("grading:work", exam_id, lambda c: work_code(c)),
        expect(DENIED, grader=OK, unassigned_grader=MISSING),
    ),
    Case(
        "grading:work",
        u("grading:work", exam_id, lambda c: work_code(c)),
        expect(DENIED, grader=Expect(302, wrote=True), unassigned_grader=MISSING),
        method="post",
        data=lambda c: {
            "revision": "0",
            f"q{c.classmate_attempt.layout[0]['q']}": "0",
            f"q{c.classmate_attempt.layout[0]['q']}-reason": "battery",
            "then": "stay",
        },
        effect=lambda c: Work.objects.filter(attempt=c.classmate_attempt, revision__gt=0).exists(),
    ),
    # The exam's teachers and the exam office follow the marking and release.
    Case("grading:results", u("grading:results", exam_id), expect(MISSING, **MANAGER)),
    Case(
        "grading:results",
        u("grading:results", other_exam_id),
        expect(MISSING, other_faculty_teacher=OK, registrar=OK),
    ),
    Case(
        "grading:release",
        u("grading:release", exam_id),
        expect(MISSING, **MANAGER),  # not confirmed: the question, nothing released
        method="post",
        prepare=marked_work,
        effect=lambda c: Work.objects.filter(released_at__isnull=False).exists(),
    ),
    Case(
        "grading:release",
        u("grading:release", exam_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: CONFIRMED,
        prepare=marked_work,
        effect=lambda c: Work.objects.filter(released_at__isnull=False).exists(),
    ),
    # Rubrics: whoever manages the exam (its teachers and the exam office).
    Case(
        "grading:rubric",
        u("grading:rubric", exam_id, written_question_id),
        expect(MISSING, **MANAGER),
    ),
    Case(
        "grading:rubric",
        u("grading:rubric", exam_id, written_question_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"rows": "1", "c0-text": "Battery criterion", "c0-points": "0.5"},
        effect=lambda c: Criterion.objects.filter(text="Battery criterion").exists(),
    ),
    # Second marking: the settings belong to whoever manages the exam; a difference is
    # settled by them or by a third grader (the pair gets 403; here the cast's unassigned
    # grader is made the second of the pair, so no third grader is in the cast).
    Case(
        "grading:marking_settings",
        u("grading:marking_settings", exam_id),
        expect(MISSING, **MANAGER),
    ),
    Case(
        "grading:marking_settings",
        u("grading:marking_settings", exam_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"second_marking": "on", "threshold": "1", "unit": "points"},
        effect=lambda c: MarkingSettings.objects.filter(second_marking=True).exists(),
    ),
    Case(
        "grading:settle",
        u("grading:settle", exam_id, lambda c: work_code(c)),
        expect(MISSING, **MANAGER, grader=DENIED, unassigned_grader=DENIED),
        prepare=work_to_settle,
    ),
    Case(
        "grading:settle",
        u("grading:settle", exam_id, lambda c: work_code(c)),
        expect(
            MISSING,
            teacher=Expect(302, wrote=True),
            registrar=Expect(302, wrote=True),
            grader=DENIED,
            unassigned_grader=DENIED,
        ),
        method="post",
        prepare=work_to_settle,
        data=lambda c: {"reason": "battery settles"},
        effect=lambda c: Work.objects.filter(settled_at__isnull=False).exists(),
    ),
    # Identifying marks: the exam office (staff) only; never graders.
    Case("grading:identifying", u("grading:identifying"), expect(DENIED, registrar=OK)),
    Case(
        "grading:identifying_decide",
        u("grading:identifying_decide", lambda c: Work.objects.get(code=work_code(c)).pk),
        expect(DENIED, registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"action": "dismiss", "note": "battery"},
        effect=lambda c: AuditEntry.objects.filter(action="grading.identifying").exists(),
    ),
    # The archive (a PDF per work, naming the students): the exam office only, never graders.
    Case("grading:archive", u("grading:archive", exam_id), expect(DENIED, registrar=OK)),
    Case("grading:archive", u("grading:archive", other_exam_id), expect(DENIED, registrar=OK)),
    Case(
        "grading:archive",
        u("grading:archive", exam_id),
        expect(DENIED, registrar=Expect(302, wrote=True)),
        method="post",
        effect=lambda c: ArchiveBuild.objects.exists(),
    ),
    Case(
        "grading:archive_build",
        u("grading:archive_build", exam_id, archive_build_id),
        expect(DENIED, registrar=OK),
    ),
    Case(
        "grading:archive_download",
        u("grading:archive_download", exam_id, archive_build_id),
        expect(DENIED, registrar=OK),
    ),
    # A result: the student whose sitting it is (released or not, the page says which).
    Case(
        "grading:result",
        u("grading:result", lambda c: c.classmate_attempt.pk),
        expect(MISSING, classmate=OK),
    ),
    # An appeal: filed by the student whose result it is; reviewed by the exam's teachers
    # and the exam office (the appeal commission), who may see the student's name.
    Case(
        "grading:appeal_file",
        u("grading:appeal_file", lambda c: c.classmate_attempt.pk),
        expect(MISSING, classmate=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"reason": "battery"},
        prepare=released_work,
        effect=lambda c: Appeal.objects.exists(),
    ),
    # The appeals page: teachers and the exam office, each seeing the appeals of the exams
    # they manage only.
    Case(
        "grading:appeals",
        u("grading:appeals"),
        expect(
            DENIED,
            teacher=Expect(200, shows=True),
            other_faculty_teacher=OK,
            registrar=Expect(200, shows=True),
        ),
        prepare=open_appeal,
        marker=lambda c: c.user("classmate").get_full_name(),
    ),
    Case(
        "grading:appeal",
        u("grading:appeal", appeal_id),
        expect(MISSING, **MANAGER),
        prepare=open_appeal,
    ),
    Case(
        "grading:appeal",
        u("grading:appeal", appeal_id),
        expect(MISSING, teacher=Expect(302, wrote=True), registrar=Expect(302, wrote=True)),
        method="post",
        data=lambda c: {"outcome": "reject", "answer": "battery", **CONFIRMED},
        prepare=open_appeal,
        effect=lambda c: Appeal.objects.filter(status=AppealStatus.REJECTED).exists(),
    ),
    # The gradebook: the registrar's office.
    Case("grading:gradebook", u("grading:gradebook"), expect(DENIED, registrar=OK)),
    Case(
        "grading:gradebook_export",
        lambda c: reverse("grading:gradebook_export") + f"?exam={c.exam.pk}",
        expect(DENIED, registrar=OK),
    ),
]


# --- what the site has: routes and operations ----------------------------------------------

# The admin is Django's own permission system (is_staff plus model permissions), checked
# for every page of it by ``test_the_admin_is_staff_only``; its routes need no entry here.
ADMIN_NAMESPACE = "admin"


def page_routes(resolver: URLResolver | None = None) -> set[str]:
    """Every named URL pattern of the site, except the admin's and the API's operations
    (those come from the schema)."""
    names: set[str] = set()
    api_ops = {"api:openapi-json", "api:openapi-view", "api:api-root"}

    def walk(node: URLResolver, namespace: str) -> None:
        for pattern in node.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or ""
                if inner == ADMIN_NAMESPACE:
                    continue
                walk(pattern, f"{namespace}{inner}:" if inner else namespace)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name or pattern.pattern}"
                if not name.startswith("api:") or name in api_ops:
                    names.add(name)

    walk(resolver or get_resolver(), "")
    return names


def api_operations(schema: dict[str, Any]) -> set[str]:
    """Every operation of the OpenAPI schema, as ``"METHOD /path"``."""
    return {
        f"{method.upper()} {route}"
        for route, operations in schema["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }


def missing_entries(routes: Iterable[str], cases: Iterable[Case] = CASES) -> set[str]:
    return set(routes) - {case.key for case in cases}


@pytest.fixture(scope="module")
def schema(django_db_blocker) -> dict[str, Any]:
    with django_db_blocker.unblock():
        return Client().get("/api/v1/openapi.json").json()


def test_every_route_and_operation_has_an_entry(schema):
    missing = missing_entries(page_routes() | api_operations(schema))
    assert missing == set(), (
        f"routes without an entry in the persona battery: {sorted(missing)} "
        "(see this module's docstring: how to add one)"
    )
    stale = {case.key for case in CASES} - page_routes() - api_operations(schema)
    assert stale == set(), f"entries for routes that no longer exist: {sorted(stale)}"


def test_a_new_route_without_an_entry_fails(schema):
    """The check above really fails for an unlisted route or operation."""
    from django.urls import path as route

    extra = URLResolver(
        r"^", [*get_resolver().url_patterns, route("new-page/", lambda r: None, name="new_page")]
    )
    assert missing_entries(page_routes(extra)) == {"new_page"}
    with_new_operation = {"paths": {**schema["paths"], "/api/v1/new": {"get": {}}}}
    assert missing_entries(api_operations(with_new_operation) | page_routes()) == {
        "GET /api/v1/new"
    }


def test_every_persona_is_in_every_entry():
    for case in CASES:
        assert set(case.expect) == set(PERSONAS), case.key


# --- running the cases ---------------------------------------------------------------------


def _request(client: Client, case: Case, cast: Cast):
    url = case.url(cast)
    data = case.data(cast) if case.data else None
    call = getattr(client, case.method)
    if case.json:
        return call(url, data=data or {}, content_type="application/json")
    if data is None:
        return call(url)
    return call(url, data=data)


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        # Not response.close(): that sends request_finished, which closes the test's
        # database connection.
        for closer in response._resource_closers:
            closer()
        return content.decode(errors="replace")
    return response.content.decode(errors="replace")


def run(case: Case, cast: Cast, persona: str) -> Expect:
    """What ``persona`` got from ``case``; every write is rolled back afterwards."""
    client = Client()
    user = cast.personas[persona]
    if user is not None:
        client.force_login(user)
    cache.clear()  # rate limits (password reset, log-in) count per test, not per battery
    with transaction.atomic():
        if case.prepare:
            case.prepare(cast)
        response = _request(client, case, cast)
        body = _body(response)
        wrote = bool(case.effect(cast)) if case.effect else False
        shows = bool(case.marker and case.marker(cast) in body)
        transaction.set_rollback(True)
    location = None
    wanted = case.expect[persona]
    if wanted.location is not None and response.status_code in (301, 302):
        location = response["Location"]
        location = wanted.location if location.startswith(wanted.location) else location
    return Expect(response.status_code, location, wrote, shows)


GROUPS = sorted({case.group for case in CASES})


# These cases need the proctored exam (``proctored`` in emtihan/conftest.py).
PROCTORING_GROUPS = {"proctoring", "api proctoring"}


@pytest.mark.parametrize("group", GROUPS)
def test_each_persona_gets_what_the_policy_allows(request, cast, group):
    context = request.getfixturevalue("proctored") if group in PROCTORING_GROUPS else cast
    problems = []
    for case in (c for c in CASES if c.group == group):
        for persona in PERSONAS:
            wanted = case.expect[persona]
            got = run(case, context, persona)
            if got != wanted:
                problems.append(f"{case.method.upper()} {case.key} as {persona}: {got} != {wanted}")
    assert problems == [], "\n".join(problems)


# --- the admin --------------------------------------------------------------------------------


def admin_pages() -> list[str]:
    """The admin's index and the list page of every registered model."""
    from django.contrib import admin

    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    return urls


def test_the_admin_is_staff_only(cast):
    """Anyone who is not staff is sent to the admin's log-in; staff get what Django's model
    permissions give them (the test registrar is staff without model permissions)."""
    for persona in PERSONAS:
        user = cast.personas[persona]
        client = Client()
        if user is not None:
            client.force_login(user)
        for url in admin_pages():
            status = client.get(url).status_code
            if user is None or not user.is_staff:
                assert status == 302, (persona, url, status)
            elif url == reverse("admin:index") or user.is_superuser:
                assert status == 200, (persona, url, status)
            else:
                assert status == 403, (persona, url, status)
