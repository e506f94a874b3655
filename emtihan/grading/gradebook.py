"""The gradebook: an XLSX of results per exam, study group or discipline, for the
registrar's office (docs/GRADING.md, "Gradebook").

One row per student of the exam's group (and anyone else who sat it) and exam: student
ID, full name, group, discipline, exam, then the **released** result (points, maximum,
letter, GPA points, traditional mark), the sitting's state (released / not released /
cancelled / postponed / waiting for a decision / did not sit) and the appeal's outcome.
A result not released yet shows only "Not released". Headers and words are in the
requester's language (the active one). Every row goes through
``core.spreadsheets.append_row``: names and titles are written as text, never formulas.

Built in memory with a bound: more than ``MAX_ROWS`` rows is refused (export per exam or
group instead), so a file stays a few megabytes at most.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from emtihan.attempts.models import Attempt, AttemptStatus, Decision
from emtihan.core.errors import DomainError
from emtihan.core.spreadsheets import append_row
from emtihan.exams.models import Exam
from emtihan.university.models import Student

from .models import Appeal, Traditional, Work

MAX_ROWS = 10_000


@dataclass(frozen=True)
class GradebookRow:
    student_id: str
    name: str
    group: str
    discipline: str
    exam: str
    points: Decimal | None
    maximum: Decimal | None
    letter: str
    gpa: Decimal | None
    traditional: str
    state: str
    appeal: str


def _state(attempt: Attempt | None, work: Work | None) -> str:
    if attempt is None:
        return _("Did not sit")
    if attempt.decision == Decision.CANCEL:
        return _("Cancelled")
    if attempt.decision == Decision.POSTPONE:
        return _("Postponed")
    if work is not None and work.released:
        return _("Released")
    if attempt.status == AttemptStatus.IN_PROGRESS:
        return _("Sitting in progress")
    if attempt.decision == Decision.PENDING:
        return _("Waiting for a decision")
    return _("Not released")


def gradebook_rows(exams: QuerySet[Exam]) -> list[GradebookRow]:
    """The rows of ``exams`` (a fixed number of queries); refused above ``MAX_ROWS``."""
    exams_list = list(
        exams.select_related("choice__discipline", "choice__group").order_by(
            "choice__discipline__code", "choice__group__code", "opens_at", "pk"
        )
    )
    group_ids = {e.choice.group_id for e in exams_list}
    students: dict[int, list[Student]] = {}
    for student in (
        Student.objects.filter(group_id__in=group_ids, is_active=True)
        .select_related("user", "group")
        .order_by("user__full_name", "student_id")
    ):
        students.setdefault(student.group_id, []).append(student)
    attempts: dict[tuple[int, int], Attempt] = {
        (a.exam_id, a.student_id): a
        for a in Attempt.objects.filter(exam__in=exams_list).select_related(
            "student__user", "student__group"
        )
    }
    works = {w.attempt_id: w for w in Work.objects.filter(exam__in=exams_list)}
    appeals = {a.work_id: a for a in Appeal.objects.filter(work__exam__in=exams_list)}
    total = sum(len(students.get(e.choice.group_id, [])) for e in exams_list)
    if total > MAX_ROWS:
        raise DomainError(
            _("The gradebook would have %(n)s rows (at most %(max)s): export per exam or group.")
            % {"n": total, "max": MAX_ROWS}
        )
    traditional = dict(Traditional.choices)
    rows = []
    for exam in exams_list:
        listed = list(students.get(exam.choice.group_id, []))
        seen = {s.pk for s in listed}
        # who sat the exam without being in its group now (moved, retaking) is listed too
        listed += [a.student for (e, s), a in attempts.items() if e == exam.pk and s not in seen]
        for student in listed:
            attempt = attempts.get((exam.pk, student.pk))
            work = works.get(attempt.pk) if attempt else None
            released = (
                work is not None
                and work.released
                and attempt is not None
                and (attempt.decision in (Decision.NONE, Decision.CONTINUE))
            )
            appeal = appeals.get(work.pk) if work is not None and released else None
            rows.append(
                GradebookRow(
                    student_id=student.student_id,
                    name=student.user.get_full_name(),
                    group=student.group.code if student.group_id else "",
                    discipline=exam.choice.discipline.code,
                    exam=exam.title,
                    points=work.result_points if released and work else None,
                    maximum=work.result_max if released and work else None,
                    letter=work.result_letter if released and work else "",
                    gpa=work.result_gpa if released and work else None,
                    traditional=str(traditional.get(work.result_traditional, ""))
                    if released and work
                    else "",
                    state=_state(attempt, work if released else None),
                    appeal=str(appeal.get_status_display()) if appeal else "",
                )
            )
    return rows


def gradebook_xlsx(rows: list[GradebookRow], *, title: str) -> bytes:
    """The workbook: the rows, then an "About" sheet (what was exported, when)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Gradebook")[:31]
    headers = [
        _("Student ID"),
        _("Full name"),
        _("Group"),
        _("Discipline"),
        _("Exam"),
        _("Points"),
        _("Maximum"),
        _("Letter"),
        _("GPA points"),
        _("Traditional mark"),
        _("State"),
        _("Appeal"),
    ]
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    for row in rows:
        append_row(ws, [
            row.student_id,
            row.name,
            row.group,
            row.discipline,
            row.exam,
            row.points,
            row.maximum,
            row.letter,
            row.gpa,
            row.traditional,
            row.state,
            row.appeal,
        ])  # fmt: skip
    for i, width in enumerate([12, 32, 12, 12, 32, 9, 9, 7, 10, 18, 22, 16], start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    meta = wb.create_sheet(_("About")[:31])
    append_row(meta, [_("Gradebook"), title])
    append_row(meta, [_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    append_row(meta, [_("Rows"), len(rows)])
    append_row(meta, [_("Only released results are shown; the rest read “Not released”.")])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
