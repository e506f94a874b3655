"""Exams built the way a teacher and a head build them, through the same services as their
clicks: the final-exam programme uploaded to UMKD, the exam-form choice sent for review and
approved, the exam created, filled with questions and published.

The demo seed (``demo_seed``) and the load benchmark (``bench/load_sitting.py setup``)
both build with these, so what they serve is what the real code would have written: every
rule checked, every audit entry recorded, no row the services could not have made.
The university itself (faculties, groups, people, teaching assignments) comes from the
registry in real life; the demo and the benchmark write those rows directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.accounts.models import User
from emtihan.core.pdf import simple_pdf
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.examforms.services import ChoiceInput, choice_approve, choice_save
from emtihan.exams import services as exams
from emtihan.exams.models import Exam
from emtihan.umkd.models import Material, Section
from emtihan.umkd.services import material_upload
from emtihan.university.models import Discipline, StudyGroup

# (kind, body HTML, spec, points): a question as ``exams.question_create`` takes it
Question = tuple[str, str, dict[str, Any], int | Decimal]


def programme_upload(*, teacher: User, discipline: Discipline) -> Material:
    """The discipline's final-exam programme (a one-page PDF) in UMKD, uploaded once."""
    existing = Material.objects.filter(
        discipline=discipline, section=Section.FINAL_EXAM_PROGRAMME
    ).first()
    if existing is not None:
        return existing
    pdf = simple_pdf([
        f"Final-exam programme: {discipline.name_en or discipline.name_kk} ({discipline.code})",
        "",
        "1. Topics covered by the exam.",
        "2. Method: how the exam is run, time, allowed materials.",
        "3. Assessment criteria.",
    ])  # fmt: skip
    upload = SimpleUploadedFile(
        f"{discipline.code}-exam-programme.pdf", pdf, content_type="application/pdf"
    )
    version = material_upload(
        actor=teacher,
        discipline=discipline,
        section=Section.FINAL_EXAM_PROGRAMME,
        file=upload,
        title=f"{discipline.code} final-exam programme and method instructions",
    )
    return version.material


def approved_choice(
    *, teacher: User, head: User, discipline: Discipline, group: StudyGroup
) -> ExamFormChoice:
    """The teacher's exam-form choice (OQYLYQ, written, traditional, with the discipline's
    programme) sent for review and approved by the head; an approved one is kept."""
    choice = ExamFormChoice.objects.filter(discipline=discipline, group=group).first()
    if choice is not None and choice.status == ChoiceStatus.APPROVED:
        return choice
    programme = Material.objects.filter(
        discipline=discipline, section=Section.FINAL_EXAM_PROGRAMME
    ).first()
    version = programme.versions.order_by("-number").first() if programme else None
    choice = choice_save(
        actor=teacher,
        discipline=discipline,
        group=group,
        data=ChoiceInput(
            platform="OQYLYQ",
            form="WRITTEN",
            exam_type="TRADITIONAL",
            programme_id=version.pk if version else None,
        ),
        expected_revision=choice.revision if choice else None,
    )
    return choice_approve(actor=head, choice_id=choice.pk, expected_revision=choice.revision)


def published_exam(
    *,
    teacher: User,
    choice: ExamFormChoice,
    questions: Iterable[Question],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    publish_at: dt.datetime,
    **settings: Any,
) -> Exam:
    """A new exam of the choice with ``questions`` in order, published at ``publish_at``
    (``settings``: the rest of ``exams.exam_create``'s, such as title and duration)."""
    exam = exams.exam_create(
        actor=teacher, choice=choice, opens_at=opens_at, closes_at=closes_at, **settings
    )
    for order, (kind, body, spec, points) in enumerate(questions, start=1):
        exams.question_create(
            actor=teacher,
            exam=exam,
            kind=kind,
            body=body,
            spec=spec,
            points=points,
            order=order,
            now=publish_at,
        )
    return exams.exam_publish(actor=teacher, exam=exam, now=publish_at)
