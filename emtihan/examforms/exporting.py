"""XLSX export of exam-form choices for the registrar.

Every row goes through ``core.spreadsheets.append_row``: what teachers, heads and the
registry typed is written as text, never as a formula.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from emtihan.core.spreadsheets import append_row
from emtihan.university.models import AcademicPeriod

from .selectors import ChoiceRow


def choices_xlsx(*, rows: list[ChoiceRow], period: AcademicPeriod) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = _("Exam forms")[:31]
    headers = [
        _("Faculty"),
        _("Department"),
        _("Discipline code"),
        _("Discipline"),
        _("Group"),
        _("Study form"),
        _("Students"),
        _("Teachers"),
        _("Platform"),
        _("Form"),
        _("Type"),
        _("Additional information"),
        _("Final-exam programme"),
        _("Status"),
        _("Decided by"),
        _("Decided at"),
        _("Head's comment"),
    ]
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
    tz = timezone.get_current_timezone()
    for row in rows:
        c = row.choice
        dept = row.discipline.department
        append_row(ws, [
            dept.faculty.code,
            dept.name,
            row.discipline.code,
            row.discipline.name,
            row.group.code,
            row.group.get_study_form_display(),
            row.student_count,
            ", ".join(row.teachers),
            c.get_platform_display() if c else "",
            c.get_form_display() if c else "",
            c.get_exam_type_display() if c and c.exam_type else "",
            c.additional_info if c else "",
            c.programme.original_name if c and c.programme else "",
            row.status_label,
            str(c.decided_by) if c and c.decided_by else "",
            c.decided_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if c and c.decided_at else "",
            c.head_comment if c else "",
        ])  # fmt: skip
    widths = [8, 28, 12, 32, 12, 12, 9, 26, 22, 16, 30, 24, 30, 18, 22, 16, 30]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    meta = wb.create_sheet(_("About")[:31])
    append_row(meta, [_("Academic period"), period.title])
    append_row(meta, [_("Exported at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    append_row(meta, [_("Rows"), len(rows)])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
