"""The archive of a finished work as a PDF, and of an exam as a ZIP (docs/GRADING.md,
"Archive").

A work's PDF holds the exam, the student, every question with the final answer drawn
(formulas typeset as mathematics: LaTeX → SVG paths by ``ziamath``, server-side;
``\\ce{...}`` chemistry turned into upright formulas with subscripts; the student's
drawings and pictures from storage), every sent version with its receipt digest, the
marks and comments, the decision, and the audit chain's hash at the work's last recorded
event. WeasyPrint lays it out; its URL fetcher serves only what this module prepared
(formulas and the work's own pictures) and refuses every other URL: nothing is fetched
from the network, fonts come from the system (DejaVu, for Kazakh Cyrillic).

Reproducible: the same work gives the same bytes (a fixed PDF identifier, no dates in the
metadata, everything sorted); the ZIP's entries carry a fixed timestamp.

Bounded: an answer is at most 256 KB and 40 levels deep when it is stored
(``attempts.content``); here a work's answers together are capped at
``MAX_WORK_HTML_CHARS`` of HTML, a formula at ``MAX_TYPESET_LATEX`` characters and a work
at ``MAX_FORMULAS`` typeset formulas (the rest say that they were left out).

Only the exam office reaches this (``policy.grading.may_archive``): it names the student,
so graders never get it.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import logging
import re
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from html import escape, unescape
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django_tasks import task

from emtihan.accounts.models import User
from emtihan.attempts.content import render_html
from emtihan.attempts.models import Attempt, Picture
from emtihan.attempts.selectors import ReceiptRow, receipts_of
from emtihan.audit.models import AuditEntry
from emtihan.audit.services import audit_record
from emtihan.core.sanitize import sanitize_html
from emtihan.exams.models import Exam, Question, QuestionKind

from .models import ArchiveBuild, ArchiveStatus, Mark, Work
from .selectors import OptionView, options_of
from .services.works import final_contents, works_ensure

# The origin the PDF's resources are named under: the fetcher serves its own entries for
# it and refuses everything else (``.invalid`` never resolves).
ORIGIN = "https://archive.invalid"
MAX_WORK_HTML_CHARS = 2_000_000
MAX_TYPESET_LATEX = 2_000
MAX_FORMULAS = 100
MATH_SIZE = 13  # points
# The ZIP's entries all carry this timestamp (the earliest a ZIP can hold).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PDF_IDENTIFIER = b"emtihan-archive"


# --- formulas ------------------------------------------------------------------------------

_CE = re.compile(r"\\ce\s*\{")
_ELEMENT_COUNT = re.compile(r"([A-Z][a-z]?|\))(\d+)")
_ARROWS = (
    ("<=>", r" \rightleftharpoons "),
    ("<->", r" \leftrightarrow "),
    ("->", r" \rightarrow "),
)


def _balanced(text: str, start: int) -> int:
    """The index just past the brace that closes the one before ``start`` (-1: none)."""
    depth = 1
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def chemistry(latex: str) -> str:
    """``\\ce{2H2 + O2 -> 2H2O}`` as plain LaTeX: upright symbols, counts as subscripts,
    charges as superscripts, arrows. Not all of mhchem: enough to read an equation."""
    out, pos = [], 0
    while (match := _CE.search(latex, pos)) is not None:
        end = _balanced(latex, match.end())
        if end < 0:
            break
        body = latex[match.end() : end - 1]
        for arrow, tex in _ARROWS:
            body = body.replace(arrow, tex)
        body = _ELEMENT_COUNT.sub(r"\1_{\2}", body)
        out.append(latex[pos : match.start()] + r"\mathrm{" + body + "}")
        pos = end
    out.append(latex[pos:])
    return "".join(out)


def formula_svg(latex: str) -> bytes | None:
    """The formula typeset as SVG paths (no text in it), or None when it cannot be."""
    import ziamath  # heavy: only the archive needs it

    if not latex.strip() or len(latex) > MAX_TYPESET_LATEX:
        return None
    try:
        svg = ziamath.Latex(chemistry(latex), size=MATH_SIZE).svg()
    except Exception:  # ziamath raises many kinds on input it cannot parse
        return None
    return svg.encode() if isinstance(svg, str) else None


# --- the work as data ----------------------------------------------------------------------


@dataclass
class Resources:
    """What the PDF's fetcher may serve: path → (bytes, content type)."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    formulas: int = 0
    math: dict[int, bool] = field(default_factory=dict)  # formula number → display
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))

    def add(self, path: str, body: bytes, content_type: str) -> str:
        self.files[path] = (body, content_type)
        return path


@dataclass
class ArchivedQuestion:
    number: int
    question: Question
    body_html: str
    answer_html: str
    options: list[OptionView]
    mark: Mark | None
    truncated: bool = False
    failed: bool = False


@dataclass
class ArchivedWork:
    work: Work
    attempt: Attempt
    questions: list[ArchivedQuestion]
    receipts: list[ReceiptRow]
    audit: AuditEntry | None
    resources: Resources

    @property
    def total(self) -> Decimal:
        return sum((q.mark.points or Decimal(0) for q in self.questions if q.mark), Decimal(0))

    @property
    def maximum(self) -> Decimal:
        return sum((q.question.points for q in self.questions), Decimal(0))


# A formula is replaced by a token before the answer is drawn and sanitised, and the token
# by the formula's picture after: the token's private-use characters and per-work nonce
# cannot come out of a student's text by chance, and a made-up one finds no formula.
_TOKEN = re.compile("\ue000([0-9a-f]{16})-([0-9]+)\ue001")


def _formula_token(node: dict[str, Any], resources: Resources) -> dict[str, Any]:
    found = node.get("attrs")
    attrs: dict[str, Any] = found if isinstance(found, dict) else {}
    latex = str(attrs.get("latex") or "")
    svg = formula_svg(latex) if resources.formulas < MAX_FORMULAS else None
    if svg is None:
        text = _("[a formula that could not be typeset]")
        return {"type": "text", "text": text, "marks": [{"type": "italic"}]}
    resources.formulas += 1
    number = resources.formulas
    resources.add(f"/math/{number}.svg", svg, "image/svg+xml")
    display = attrs.get("display") is True
    resources.math[number] = display
    return {"type": "text", "text": f"\ue000{resources.nonce}-{number}\ue001"}


def _with_formulas(html: str, resources: Resources) -> str:
    def picture(match: re.Match[str]) -> str:
        number = int(match[2])
        if match[1] != resources.nonce or number not in resources.math:
            return ""
        css = "math math-display" if resources.math[number] else "math"
        return f'<img class="{css}" src="/math/{number}.svg" alt="{escape(_("formula"))}">'

    return _TOKEN.sub(picture, html)


_BODY_MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)


def _body_with_formulas(html: str, resources: Resources) -> str:
    """A question's (sanitised) text with its ``\\(..\\)`` and ``\\[..\\]`` formulas typeset."""

    def picture(match: re.Match[str]) -> str:
        display = match[2] is not None
        node = {
            "type": "math",
            "attrs": {"latex": unescape(match[2] or match[1]), "display": display},
        }
        token = _formula_token(node, resources)
        if token.get("marks"):
            return match[0]  # left as written: it could not be typeset
        return _with_formulas(token["text"], resources)

    return _BODY_MATH.sub(picture, html)


def _prepared(doc: dict[str, Any], resources: Resources) -> dict[str, Any]:
    """A copy of the answer whose formulas are tokens (``_with_formulas`` draws them)."""
    doc = copy.deepcopy(doc)
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict):
            continue
        children = node.get("content")
        if isinstance(children, list):
            for i, child in enumerate(children):
                if isinstance(child, dict) and child.get("type") == "math":
                    children[i] = _formula_token(child, resources)
                else:
                    stack.append(child)
    return doc


def _audit_point(work: Work) -> AuditEntry | None:
    """The chain's entry at the work's last recorded event: its sitting, its marks or the
    release that named its code. Later entries of other objects do not change it, so the
    PDF is the same when it is made again. "Last" is by ``pk``, not ``seq``: entries
    written before the log had one chain per exam are in the global chain, later ones in
    the exam's, and a chain's appends are made one at a time under its head's lock, so
    ``pk`` follows each chain's order and puts the global chain's old entries first."""
    fields = ("chain", "seq", "at", "hash", "action")
    own = (
        AuditEntry.objects.filter(
            Q(object_type="attempts.attempt", object_id=str(work.attempt_id))
            | Q(object_type="grading.work", object_id=str(work.pk))
        )
        .order_by("-pk")
        .only(*fields)
        .first()
    )
    releases = AuditEntry.objects.filter(
        object_type="exams.exam", object_id=str(work.exam_id), action="grading.release"
    ).order_by("-pk")
    released = next(
        (
            entry
            for entry in releases.only(*fields, "data")
            if any(w.get("code") == work.code for w in entry.data.get("works") or [])
        ),
        None,
    )
    found = [e for e in (own, released) if e is not None]
    return max(found, key=lambda e: e.pk) if found else None


def archived_work(work: Work) -> ArchivedWork:
    attempt = (
        Attempt.objects.select_related(
            "student__user", "student__group", "exam__choice__discipline", "decided_by"
        )
        .filter(pk=work.attempt_id)
        .get()
    )
    ids = [entry["q"] for entry in attempt.layout]
    questions = Question.objects.only("id", "kind", "body", "spec", "points").in_bulk(ids)
    contents = final_contents([attempt.pk])
    marks = {m.question_id: m for m in Mark.objects.filter(work=work)}
    pictures = {p.pk: p for p in Picture.objects.filter(attempt=attempt).order_by("pk")}
    resources = Resources()
    budget = MAX_WORK_HTML_CHARS
    archived: list[ArchivedQuestion] = []
    for number, entry in enumerate(attempt.layout, start=1):
        question = questions.get(entry["q"])
        if question is None:
            continue
        content = contents.get((attempt.pk, question.pk))
        content = content if isinstance(content, dict) else {}
        answer_html, options, truncated, failed = "", [], False, False
        if question.kind == QuestionKind.WRITTEN:
            doc = content.get("doc")
            if isinstance(doc, dict):
                try:
                    drawn = render_html(_prepared(doc, resources))
                    answer_html = _with_formulas(drawn, resources)
                except RecursionError:  # stored without the sitting's depth limit
                    failed = True
        elif question.kind in (QuestionKind.SHORT, QuestionKind.NUMERIC):
            text = content.get("text")
            answer_html = escape(text) if isinstance(text, str) else ""
        else:
            options = options_of(question, entry, content)
        if len(answer_html) > budget:
            answer_html, truncated = "", True
        budget -= len(answer_html)
        archived.append(
            ArchivedQuestion(
                number=number,
                question=question,
                body_html=_body_with_formulas(sanitize_html(question.body), resources),
                answer_html=answer_html,
                options=options,
                mark=marks.get(question.pk),
                truncated=truncated,
                failed=failed,
            )
        )
    for picture in pictures.values():
        # The answer names its pictures by their sitting path (``attempts:picture``).
        path = reverse("attempts:picture", args=[attempt.pk, picture.pk])
        try:
            with picture.file.open("rb") as fh:
                resources.add(path, fh.read(), picture.content_type)
        except OSError:
            continue  # a missing file draws as its alt text
    return ArchivedWork(
        work=work,
        attempt=attempt,
        questions=archived,
        receipts=receipts_of(attempt),
        audit=_audit_point(work),
        resources=resources,
    )


# --- PDF -----------------------------------------------------------------------------------


def _fetcher(resources: Resources) -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        """Serves the work's own resources; refuses every other URL (no network)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith(ORIGIN + "/"):
                found = resources.files.get(url[len(ORIGIN) :])
                if found is not None:
                    body, content_type = found
                    return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise ValueError(f"The archive fetches nothing from outside: {url[:80]}")

    return LocalOnly(allowed_protocols=())


def work_html(archived: ArchivedWork) -> str:
    return render_to_string("grading/archive_work.html", {"a": archived})


def work_css(archived: ArchivedWork) -> str:
    return render_to_string("grading/archive_work.css", {"a": archived})


def work_pdf(work: Work) -> bytes:
    """The work's PDF: the same bytes every time for the same work and language."""
    archived = archived_work(work)
    return render_pdf(work_html(archived), archived.resources, css=work_css(archived))


def render_pdf(html: str, resources: Resources, css: str = "") -> bytes:
    import weasyprint

    # Refused URLs (a hostile src) are logged by WeasyPrint as errors: expected here.
    logging.getLogger("weasyprint").setLevel(logging.CRITICAL)
    pdf = weasyprint.HTML(
        string=html, base_url=ORIGIN + "/", url_fetcher=_fetcher(resources)
    ).write_pdf(
        stylesheets=[weasyprint.CSS(string=css)] if css else None,
        pdf_identifier=PDF_IDENTIFIER,
    )
    return bytes(pdf)


# --- ZIP -----------------------------------------------------------------------------------


def entry_name(work: Work) -> str:
    """``<student ID>_<code>.pdf``: sorted, stable, ASCII-safe."""
    student_id = re.sub(r"[^0-9A-Za-z_-]", "_", work.attempt.student.student_id)
    return f"{student_id}_{work.code}.pdf"


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    info.create_system = 3
    archive.writestr(info, data)


def exam_works(exam: Exam) -> list[Work]:
    return list(
        Work.objects.filter(exam=exam)
        .select_related("attempt__student")
        .order_by("attempt__student__student_id", "code")
    )


def exam_zip(exam: Exam, progress: Callable[[int, int], None] | None = None) -> bytes:
    """Every work of the exam as PDFs in one ZIP, with ``SHA256SUMS`` listing them.
    ``progress(done, total)`` hears after each work."""
    works = exam_works(exam)
    buffer = io.BytesIO()
    sums = []
    with zipfile.ZipFile(buffer, "w") as archive:
        if progress is not None:
            progress(0, len(works))
        for done, work in enumerate(works, start=1):
            name = entry_name(work)
            pdf = work_pdf(work)
            _zip_entry(archive, name, pdf)
            sums.append(f"{hashlib.sha256(pdf).hexdigest()}  {name}\n")
            if progress is not None:
                progress(done, len(works))
        _zip_entry(archive, "SHA256SUMS", "".join(sums).encode())
    return buffer.getvalue()


# --- the background build ----------------------------------------------------------------
# ``archive_start`` keeps a queued ``ArchiveBuild`` and enqueues ``archive_build_job``
# (``manage.py db_worker`` runs it); ``archive_build_run`` claims it once, renders each
# work's PDF, writes ``done``/``total`` after each, stores the ZIP and records
# ``grading.archive`` in the audit chain with its SHA-256.

logger = logging.getLogger(__name__)


def archive_start(*, actor: User, exam: Exam, now: dt.datetime | None = None) -> ArchiveBuild:
    """Queue a build of the exam's archive (the caller checked ``may_archive``)."""
    now = now or timezone.now()
    works_ensure(exam=exam, now=now)
    build = ArchiveBuild.objects.create(
        exam=exam, requested_by=actor, requested_at=now, language=get_language() or ""
    )
    transaction.on_commit(partial(_enqueue, build.pk))
    return build


def _enqueue(build_id: int) -> None:
    archive_build_job.enqueue(build_id=build_id)


def archive_build_run(*, build_id: int) -> None:
    """Build a queued archive, once: the caller that claims it builds it."""
    if not ArchiveBuild.claim(build_id, timezone.now()):
        return
    build = ArchiveBuild.objects.select_related("exam", "requested_by").get(pk=build_id)
    with override(build.language or None):
        try:
            data = exam_zip(build.exam, progress=partial(ArchiveBuild.set_progress, build_id))
        except Exception:
            logger.exception("archive build %s failed", build_id)
            ArchiveBuild.objects.filter(pk=build_id).update(
                status=ArchiveStatus.FAILED,
                failure=_("The archive could not be built; the error is in the server's log."),
                finished_at=timezone.now(),
            )
            return
    digest = hashlib.sha256(data).hexdigest()
    build.refresh_from_db(fields=["done", "total"])
    build.file.save(f"archives/exam-{build.exam_id}-{build.pk}.zip", ContentFile(data), save=False)
    build.size, build.sha256 = len(data), digest
    build.status, build.finished_at = ArchiveStatus.DONE, timezone.now()
    with transaction.atomic():
        build.save()
        audit_record(
            actor=build.requested_by,
            action="grading.archive",
            obj=build.exam,
            data={"build": build.pk, "works": build.total, "sha256": digest, "size": len(data)},
        )


@task()
def archive_build_job(build_id: int) -> None:
    """The background side of ``archive_start``."""
    archive_build_run(build_id=build_id)
