"""The archive: a work's PDF read back as text (the student's Kazakh text, the formula
drawn as mathematics and not as LaTeX, every receipt's digest, the marks, the decision,
the audit hash), made twice to the same bytes; an exam's ZIP built by its background task
with progress; hostile answers rendered within a CPU bound; the pages of the exam office."""

from __future__ import annotations

import io
import re
import time
import zipfile

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from emtihan.accounts.models import Role
from emtihan.attempts import services as attempts
from emtihan.attempts.models import AnswerVersion
from emtihan.attempts.tests.conftest import MINUTE, NOW
from emtihan.audit.models import AuditEntry
from emtihan.conftest import make_user
from emtihan.exams.models import QuestionKind
from emtihan.grading import archive
from emtihan.grading.models import ArchiveBuild, ArchiveStatus, Work
from emtihan.grading.services import MarkInput, work_mark, works_ensure
from emtihan.university.models import Student

from .conftest import STUDENTS

pytestmark = pytest.mark.django_db


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)


def curves(pdf: bytes) -> int:
    """Bézier curve operators drawn on the pages."""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return sum(p.get_contents().get_data().count(b" c\n") for p in pages)


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def marked(pile, number: int = 0) -> Work:
    works_ensure(exam=pile.exam)
    attempt = pile.attempts[number]
    work = Work.objects.get(attempt=attempt)
    written = next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN)
    return work_mark(actor=pile.grader, work_id=work.pk, revision=work.revision,
                     marks=[MarkInput(written, "0.75", "Формула дұрыс, түсіндірме қысқа")])  # fmt: skip


def test_the_pdf_of_a_work_reads_back_with_everything(pile):
    work = marked(pile)
    pdf = archive.work_pdf(work)
    text = text_of(pdf)
    flat = squeezed(text)
    name, _email, student_id = STUDENTS[0]
    assert name in text and student_id in text and pile.exam.title in text
    assert "Жауап 0: E = mc²" in text  # the student's Kazakh text, as typed
    assert "Формула дұрыс, түсіндірме қысқа" in text and "0.75" in text  # mark and comment
    # Every sent version's full digest (the text may break inside the monospaced digest).
    versions = AnswerVersion.objects.filter(answer__attempt=pile.attempts[0])
    assert versions.count() == len(pile.attempts[0].layout)
    for version in versions:
        assert version.digest in flat
    # The audit chain's hash at the work's last event (here: its mark).
    entry = AuditEntry.objects.filter(action="grading.mark").latest("seq")
    assert entry.hash in flat
    # The formula is drawn (an SVG of paths), never written out as LaTeX.
    assert "frac" not in text and "sqrt" not in text and "\\(" not in text
    assert "could not be typeset" not in text
    # Drawn: the SVG's outlines are curves in the page (text and tables draw none), and
    # the same page without the formula has none of them.
    assert curves(pdf) > 20
    archived = archive.archived_work(work)
    without = re.sub(r'<img class="math[^>]*>', "", archive.work_html(archived))
    css = archive.work_css(archived)
    assert curves(archive.render_pdf(without, archived.resources, css=css)) == 0
    # The student's drawing: the stored picture, as an image of the PDF.
    images = [img for page in PdfReader(io.BytesIO(pdf)).pages for img in page.images]
    assert {(i.image.width, i.image.height) for i in images} == {(20, 10)}


def test_the_formula_is_vector_paths(pile):
    svg = archive.formula_svg(r"\frac{a}{b} = \sqrt{c}")
    assert svg is not None and b"<path" in svg and b"<text" not in svg
    chem = archive.chemistry(r"\ce{2H2 + O2 -> 2H2O}")
    assert chem == r"\mathrm{2H_{2} + O_{2}  \rightarrow  2H_{2}O}"
    assert archive.formula_svg(r"\ce{2H2 + O2 -> 2H2O}") is not None
    assert archive.formula_svg(r"\frac{" + "x" * 5000 + "}") is None  # over the cap


def test_the_same_work_gives_the_same_bytes(pile):
    work = marked(pile)
    first = archive.work_pdf(work)
    assert archive.work_pdf(Work.objects.get(pk=work.pk)) == first
    assert b"/CreationDate" not in first and b"/ModDate" not in first


def test_the_fetcher_serves_only_the_works_own_resources():
    resources = archive.Resources()
    resources.add("/math/1.svg", b"<svg/>", "image/svg+xml")
    fetcher = archive._fetcher(resources)
    assert fetcher.fetch(archive.ORIGIN + "/math/1.svg").read() == b"<svg/>"
    for url in ("https://example.com/x.png", "file:///etc/passwd", archive.ORIGIN + "/math/2.svg",
                "data:image/png;base64,AAAA", "http://127.0.0.1/"):  # fmt: skip
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_exams_zip_is_built_with_progress_and_is_reproducible(
    pile, world, django_capture_on_commit_callbacks, monkeypatch
):
    marked(pile)
    heard: list[tuple[int, int]] = []
    real = ArchiveBuild.set_progress

    def spy(build_id: int, done: int, total: int) -> None:
        heard.append((done, total))
        real(build_id, done, total)

    monkeypatch.setattr(ArchiveBuild, "set_progress", staticmethod(spy))
    with django_capture_on_commit_callbacks(execute=True):
        build = archive.archive_start(actor=world.registrar, exam=pile.exam)
    build.refresh_from_db()
    assert build.status == ArchiveStatus.DONE
    assert heard == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    assert (build.done, build.total) == (4, 4)
    data = build.file.read()
    names = sorted(zipfile.ZipFile(io.BytesIO(data)).namelist())
    codes = dict(Work.objects.values_list("attempt__student__student_id", "code"))
    assert names == sorted([f"{sid}_{codes[sid]}.pdf" for _n, _e, sid in STUDENTS] + ["SHA256SUMS"])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert all(i.date_time == archive.ZIP_DATE for i in z.infolist())
        first = f"{STUDENTS[0][2]}_{codes[STUDENTS[0][2]]}.pdf"
        assert STUDENTS[0][0] in text_of(z.read(first))
    entry = AuditEntry.objects.get(action="grading.archive")
    assert entry.data["sha256"] == build.sha256 and entry.data["works"] == 4
    # Built again: the same ZIP, byte for byte.
    assert archive.exam_zip(pile.exam) == data


def test_a_failed_build_says_so(pile, world, django_capture_on_commit_callbacks, monkeypatch):
    def broken(work):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(archive, "work_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        build = archive.archive_start(actor=world.registrar, exam=pile.exam)
    build.refresh_from_db()
    assert build.status == ArchiveStatus.FAILED and "could not be built" in build.failure
    assert not build.file


def hostile_sitting(pile, world):
    """A sitting whose written answer is as big and deep as the sitting accepts, with
    hundreds of formulas and markup typed as text."""
    user = make_user("hostile@kaznu.test", Role.STUDENT, full_name="Хакер Хакеров")
    Student.objects.create(user=user, student_id="202309999", group=world.g1)
    attempt = attempts.attempt_start(student_user=user, exam_id=pile.exam.pk, now=NOW)
    nested: dict = {"type": "paragraph", "content": [{"type": "text", "text": "дно"}]}
    for _level in range(18):  # 36 levels: about as deep as the sitting accepts
        nested = {"type": "bulletList", "content": [{"type": "listItem", "content": [nested]}]}
    blocks = [nested]
    blocks += [
        {
            "type": "paragraph",
            "content": [
                {
                    "type": "text",
                    "text": "<script>alert(1)</script><img src=x onerror=alert(1)> " * 2,
                },
                {"type": "math", "attrs": {"latex": rf"\frac{{{n}}}{{\sqrt{{x_{n}}}}}"}},
            ],
        }  # fmt: skip
        for n in range(600)
    ]
    for number, entry in enumerate(attempt.layout):
        if entry["kind"] != QuestionKind.WRITTEN:
            continue
        attempts.answer_send(attempt_id=attempt.pk, student_user=user, question_id=entry["q"],
                             content={"doc": {"type": "doc", "content": blocks}}, base_version=0,
                             key=f"h{number}", now=NOW + MINUTE)  # fmt: skip
    attempts.attempt_finish(attempt_id=attempt.pk, student_user=user, key="f", now=NOW + 2 * MINUTE)
    works_ensure(exam=pile.exam)
    return Work.objects.get(attempt=attempt)


def test_a_hostile_answer_renders_within_a_cpu_bound(pile, world):
    work = hostile_sitting(pile, world)
    started = time.process_time()
    pdf = archive.work_pdf(work)
    spent = time.process_time() - started
    assert spent < 60, spent  # measured: see docs/GRADING.md "Archive"
    text = text_of(pdf)
    assert "<script>alert(1)</script>" in text  # drawn as text, never run or parsed
    assert "дно" in text
    assert text.count("could not be typeset") >= 600 - archive.MAX_FORMULAS


def test_a_stored_answer_deeper_than_any_renderer_is_left_out_not_fatal(pile, world):
    """Content that never went through the sitting's cleaner (an old row, a bug): 200
    levels deep. The work's PDF still comes out, saying so, with its digests."""
    work = hostile_sitting(pile, world)
    deep: dict = {"type": "text", "text": "x"}
    for _level in range(200):
        deep = {"type": "bulletList", "content": [{"type": "listItem", "content": [deep]}]}
    written = AnswerVersion.objects.filter(
        answer__attempt_id=work.attempt_id, answer__question__kind=QuestionKind.WRITTEN
    )
    written.update(content={"doc": {"type": "doc", "content": [deep]}})
    started = time.process_time()
    text = text_of(archive.work_pdf(work))
    assert time.process_time() - started < 30
    assert "could not be drawn" in text
    for digest in written.values_list("digest", flat=True):
        assert digest in squeezed(text)


# --- the exam office's pages ----------------------------------------------------------------


def test_the_exam_office_builds_follows_and_downloads(
    pile, world, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(world.registrar)
    url = reverse("grading:archive", args=[pile.exam.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    build = ArchiveBuild.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/archive/{build.pk}/")
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true")
    assert b'id="archive-progress"' in fragment.content and b"hx-trigger" not in fragment.content
    download = client.get(reverse("grading:archive_download", args=[pile.exam.pk, build.pk]))
    assert download["Content-Type"] == "application/zip"
    assert b"".join(download.streaming_content) == build.file.open("rb").read()


def test_graders_never_reach_the_archive(pile, world):
    build = ArchiveBuild.objects.create(
        exam=pile.exam, requested_by=world.registrar, requested_at=NOW
    )
    client = Client()
    client.force_login(pile.grader)
    for name, args in (("grading:archive", [pile.exam.pk]),
                       ("grading:archive_build", [pile.exam.pk, build.pk]),
                       ("grading:archive_download", [pile.exam.pk, build.pk])):  # fmt: skip
        assert client.get(reverse(name, args=args)).status_code == 403
