"""Fixtures of marking: a finished pile of realistic students.

``pile`` is the attempts tests' exam (one question of every kind, ALG x IS-2301) sat and
finished by four students with Kazakh, Russian and English names, student IDs and
e-mails, each sending every answer; the ``exam_grader`` marks it. Their identities are in
``pile.identities``: what the anonymity tests look for on every grader-reachable page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from emtihan.accounts.models import Role, User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt
from emtihan.attempts.selectors import picture_src as picture_path
from emtihan.attempts.tests.conftest import MINUTE, NOW, doc, make_exam
from emtihan.conftest import make_user
from emtihan.exams import assignments
from emtihan.exams.models import Exam, QuestionKind
from emtihan.university.models import Student

# name, e-mail, student ID (9 digits: nothing else on a page is 9 digits by chance)
STUDENTS = [
    ("Айгерім Нұрланқызы Сейітова", "a.seitova@kaznu.test", "202301457"),
    ("Дмитрий Сергеевич Ковалёв", "d.kovalev@kaznu.test", "202301468"),
    ("Aruzhan Bekova", "aruzhan.bekova@kaznu.test", "202301479"),
    ("Ерлан Мұратұлы Жақсыбеков", "e.zhaksybekov@kaznu.test", "202301480"),
]

# The right answers of make_exam's closed questions, and a wrong one for half the pile.
RIGHT = {
    QuestionKind.SINGLE: {"choice": "a"},
    QuestionKind.MULTIPLE: {"choices": ["a"]},
    QuestionKind.TRUE_FALSE: {"choice": "true"},
    QuestionKind.SHORT: {"text": "x"},
    QuestionKind.NUMERIC: {"text": "3,14"},
}
WRONG = {
    QuestionKind.SINGLE: {"choice": "b"},
    QuestionKind.MULTIPLE: {"choices": ["b"]},
    QuestionKind.TRUE_FALSE: {"choice": "false"},
    QuestionKind.SHORT: {"text": "y"},
    QuestionKind.NUMERIC: {"text": "2"},
}


@dataclass
class Pile:
    exam: Exam
    grader: User
    users: list[User]
    attempts: list[Attempt]
    identities: list[str] = field(default_factory=list)

    def attempt_of(self, user: User) -> Attempt:
        return next(a for a in self.attempts if a.student.user_id == user.pk)


def drawing() -> SimpleUploadedFile:
    data = io.BytesIO()
    Image.new("RGB", (20, 10), (0, 0, 0)).save(data, format="PNG")
    return SimpleUploadedFile("drawing.png", data.getvalue(), content_type="image/png")


def sit(user: User, exam: Exam, *, right: bool, written: str) -> Attempt:
    """A sitting with every answer sent, the written one with a drawing, then "Finish"."""
    attempt = attempts.attempt_start(student_user=user, exam_id=exam.pk, now=NOW)
    picture = attempts.picture_upload(
        attempt_id=attempt.pk, student_user=user, file=drawing(), now=NOW
    )
    for number, entry in enumerate(attempt.layout):
        kind = entry["kind"]
        content = (RIGHT if right else WRONG).get(kind)
        if kind == QuestionKind.WRITTEN:
            content = doc(written)
            content["doc"]["content"] += [
                {"type": "math", "attrs": {"latex": "\\frac{a}{b} = \\sqrt{c}"}},
                {"type": "image", "attrs": {"src": picture_path(picture), "alt": "drawing"}},
            ]
        attempts.answer_send(
            attempt_id=attempt.pk,
            student_user=user,
            question_id=entry["q"],
            content=content,
            base_version=0,
            key=f"s{number}",
            now=NOW + MINUTE,
        )
    return attempts.attempt_finish(
        attempt_id=attempt.pk, student_user=user, key="finish", now=NOW + 2 * MINUTE
    )


@pytest.fixture
def pile(world) -> Pile:
    exam = make_exam(world, allow_drawings=True)
    grader = make_user("grader@test.local", Role.GRADER, full_name="Gra Der")
    assignments.grader_assign(actor=world.registrar, user=grader, exam=exam)
    users, sittings = [], []
    for number, (name, email, student_id) in enumerate(STUDENTS):
        user = make_user(email, Role.STUDENT, password=student_id, full_name=name)
        Student.objects.create(user=user, student_id=student_id, group=world.g1)
        users.append(user)
        sittings.append(sit(user, exam, right=number % 2 == 0, written=f"Жауап {number}: E = mc²"))
    identities = [world.g1.code]
    for name, email, student_id in STUDENTS:
        identities += [name, email, student_id, *name.split()]
    return Pile(exam=exam, grader=grader, users=users, attempts=sittings, identities=identities)
