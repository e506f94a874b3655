"""The demo's exams (``demo_seed``), made through the real services: for group IS-2301 an
exam open now that requires the camera (written questions with formulas, chemistry and
drawings allowed, plus one question of every closed kind; its proctored sittings are
``proctoring.py``'s), one upcoming and one already completed, with finished attempts of
student1 and student2; for group IS-2302 the same open exam without the camera; and for
group IS-2311 an approved exam form of MATH110 with no exam yet, where the README's
"Create an exam" starts.

Running it again changes nothing, except that the open and the upcoming exam's windows move
forward when the demo is started on a later day (so "open now" stays true).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt
from emtihan.demo import builders
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.exams.models import Exam, ProctoringLevel, QuestionKind
from emtihan.university.models import AcademicPeriod, Discipline, Student, StudyGroup

GROUP = "IS-2301"
OPEN, UPCOMING, COMPLETED = "MATH110", "CS101", "CS205"
# The same open exam for group IS-2302, without the camera: sitting it needs no device
# check (the README's "Sit an exam" walk-through).
NO_CAMERA = ("MATH110", "IS-2302")
# The open exam opened this long ago (its proctored sittings began up to 70 minutes ago).
OPENED_HOURS_AGO = 2
# student21's work is left unmarked (demo/grading.py marks student1's and student2's).
COMPLETED_STUDENTS = ["student1@demo.local", "student2@demo.local", "student21@demo.local"]
# An approved exam-form choice (OQYLYQ written) with no exam: "My exams" -> "Create exam".
READY = ("MATH110", "IS-2311")


def _p(kk: str, en: str) -> str:
    """A question in Kazakh (the group's language) with an English line under it."""
    return f"<p>{kk}</p><p><em>{en}</em></p>"


def _options(*rows: tuple[str, float]) -> dict:
    return {
        "options": [
            {"id": chr(ord("a") + n), "html": html, "fraction": fraction}
            for n, (html, fraction) in enumerate(rows)
        ]
    }


# (kind, body, spec, points)
OPEN_QUESTIONS = [
    (
        QuestionKind.WRITTEN,
        _p(
            "Матрицаның меншікті мәндері мен меншікті векторларын табыңыз: "
            r"\(A = \begin{pmatrix} 2 & 1 \\ 1 & 2 \end{pmatrix}\). Әр қадамды түсіндіріңіз.",
            "Find the eigenvalues and eigenvectors of A and explain each step.",
        ),
        {},
        10,
    ),
    (
        QuestionKind.WRITTEN,
        _p(
            r"Теңдеулер жүйесін Гаусс әдісімен шешіңіз: \(x + y = 3,\; 2x - y = 0\). "
            "Екі түзуді сызбада көрсетіңіз («Сызба» батырмасы).",
            "Solve the system by Gaussian elimination and draw both lines (the “Drawing” button).",
        ),
        {},
        10,
    ),
    (
        QuestionKind.WRITTEN,
        _p(
            r"Метанның жану реакциясын теңестіріңіз: \(\ce{CH4 + O2 -> CO2 + H2O}\). "
            "Коэффициенттерді сызықтық теңдеулер жүйесінің шешімі ретінде табыңыз.",
            "Balance the combustion of methane, finding the coefficients as the solution "
            "of a linear system (use the “Chemistry” button).",
        ),
        {},
        10,
    ),
    (
        QuestionKind.SINGLE,
        _p(
            r"Анықтауышты есептеңіз: \(\det\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}\)",
            "Compute the determinant.",
        ),
        _options((r"\(-2\)", 1.0), (r"\(2\)", 0.0), (r"\(10\)", 0.0), (r"\(-10\)", 0.0)),
        2,
    ),
    (
        QuestionKind.MULTIPLE,
        _p("Қай матрицалар кері матрицаға ие?", "Which matrices are invertible?"),
        _options(
            (r"\(\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix}\)", 0.5),
            (r"\(\begin{pmatrix} 2 & 0 \\ 0 & 3 \end{pmatrix}\)", 0.5),
            (r"\(\begin{pmatrix} 1 & 2 \\ 2 & 4 \end{pmatrix}\)", -1.0),
        ),
        2,
    ),
    (
        QuestionKind.TRUE_FALSE,
        _p(
            "Екі симметриялық матрицаның көбейтіндісі әрқашан симметриялық болады.",
            "The product of two symmetric matrices is always symmetric.",
        ),
        {"correct": False},
        1,
    ),
    (
        QuestionKind.SHORT,
        _p(
            "Скаляр көбейтіндісі нөлге тең екі вектор қалай аталады?",
            "What are two vectors whose dot product is zero called?",
        ),
        {
            "answers": [
                {"text": "ортогональ*", "fraction": 1.0},
                {"text": "orthogonal*", "fraction": 1.0},
                {"text": "перпендикуляр*", "fraction": 1.0},
            ]
        },
        1,
    ),
    (
        QuestionKind.NUMERIC,
        _p(
            r"Матрицаның ізін табыңыз: \(\operatorname{tr}\begin{pmatrix} 1 & 2 \\ 3 & 4 "
            r"\end{pmatrix}\)",
            "Find the trace of the matrix.",
        ),
        {"answers": [{"value": 5, "tolerance": 0, "fraction": 1.0}]},
        1,
    ),
]
UPCOMING_QUESTIONS = [
    (
        QuestionKind.WRITTEN,
        _p(
            "Рекурсия дегеніміз не? Факториалды есептейтін рекурсивті функция жазыңыз.",
            "What is recursion? Write a recursive function that computes a factorial.",
        ),
        {},
        10,
    ),
    (
        QuestionKind.SINGLE,
        _p(
            "Python-да тізімнің ұзындығын қай функция береді?",
            "Which function gives a list's length in Python?",
        ),
        _options(
            ("<code>len()</code>", 1.0), ("<code>size()</code>", 0.0), ("<code>count()</code>", 0.0)
        ),
        2,
    ),
]
COMPLETED_QUESTIONS = [
    (
        QuestionKind.WRITTEN,
        _p(
            "Үшінші қалыпты форманы мысалмен түсіндіріңіз.",
            "Explain the third normal form with an example.",
        ),
        {},
        10,
    ),
    (
        QuestionKind.TRUE_FALSE,
        _p("Бастапқы кілт NULL мәнін қабылдай алады.", "A primary key may be NULL."),
        {"correct": False},
        1,
    ),
]


def _approved_choice(teacher: User, head: User, code: str, group: StudyGroup) -> ExamFormChoice:
    discipline = Discipline.objects.get(code=code)
    return builders.approved_choice(teacher=teacher, head=head, discipline=discipline, group=group)


def _exam(
    teacher: User,
    choice: ExamFormChoice,
    questions: list,
    *,
    opens_at: dt.datetime,
    hours: int,
    publish_at: dt.datetime,
    **fields,
) -> Exam:
    return builders.published_exam(
        teacher=teacher,
        choice=choice,
        questions=questions,
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(hours=hours),
        publish_at=publish_at,
        **fields,
    )


def _sit(exam: Exam, email: str, started: dt.datetime) -> None:
    """A finished attempt: every question answered and sent, then "Finish"."""
    user = User.objects.get(email=email)
    if Attempt.objects.filter(exam=exam, student__user=user).exists():
        return
    attempt = attempts.attempt_start(student_user=user, exam_id=exam.pk, now=started)
    closed = {QuestionKind.TRUE_FALSE: {"choice": "false"}}
    for n, entry in enumerate(attempt.layout, start=1):
        if entry["kind"] == QuestionKind.WRITTEN:
            text = "Әр кесте тек кілтке тәуелді болуы керек: транзитивті тәуелділіктер жоқ, "
            # ... and a formula (the archive's PDF draws it as mathematics).
            formula = {"type": "math", "attrs": {"latex": r"A \to B,\; B \not\to A"}}
            paragraph = [{"type": "text", "text": text}, formula]
            content: dict = {
                "doc": {"type": "doc", "content": [{"type": "paragraph", "content": paragraph}]}
            }
        else:
            content = closed[entry["kind"]]
        attempts.answer_send(
            attempt_id=attempt.pk,
            student_user=user,
            question_id=entry["q"],
            content=content,
            base_version=0,
            key=f"demo-{attempt.pk}-{n}",
            now=started + dt.timedelta(minutes=10 * n),
        )
    attempts.attempt_finish(
        attempt_id=attempt.pk,
        student_user=user,
        key=f"demo-finish-{attempt.pk}",
        now=started + dt.timedelta(minutes=45),
    )


def seed(teacher: User, head: User, period: AcademicPeriod) -> None:
    group = StudyGroup.objects.get(code=GROUP)
    now = timezone.now().replace(second=0, microsecond=0)
    nine = timezone.localtime(now).replace(hour=9, minute=0)

    choice = _approved_choice(teacher, head, OPEN, group)
    exam = Exam.objects.filter(choice=choice).first()
    if exam is None:
        _exam(
            teacher,
            choice,
            OPEN_QUESTIONS,
            title="Сызықтық алгебра: қорытынды емтихан / Linear Algebra: final exam",
            opens_at=now - dt.timedelta(hours=OPENED_HOURS_AGO),
            hours=24 * 7,
            publish_at=now - dt.timedelta(hours=2),
            duration_minutes=120,
            description=(
                "Жазбаша емтихан: 3 жазбаша сұрақ және 5 тест сұрағы. Формулалар мен "
                "сызбаларға рұқсат етіледі.\n"
                "Written exam: 3 written questions and 5 closed ones. Formulas and drawings "
                "are allowed."
            ),
            allow_formulas=True,
            allow_drawings=True,
            allow_pictures=True,
            allowed_other="Қағаз бен қалам (жоба үшін) / Paper and pen for rough work",
            proctoring=ProctoringLevel.REQUIRED,
        )
    else:
        changes: dict = {}
        if exam.closes_at < now + dt.timedelta(days=1):
            # A demo started days later: keep the exam open now.
            changes["closes_at"] = now + dt.timedelta(days=7)
        if exam.opens_at > now - dt.timedelta(hours=OPENED_HOURS_AGO):
            # Open long enough for the proctored sittings of an hour ago (proctoring.py).
            changes["opens_at"] = now - dt.timedelta(hours=OPENED_HOURS_AGO)
        if exam.proctoring != ProctoringLevel.REQUIRED:
            # A demo database from before the open exam required the camera.
            changes["proctoring"] = ProctoringLevel.REQUIRED
        if changes:
            Exam.objects.filter(pk=exam.pk).update(**changes)

    choice = _approved_choice(teacher, head, UPCOMING, group)
    exam = Exam.objects.filter(choice=choice).first()
    soon = nine + dt.timedelta(days=3)
    if exam is None:
        _exam(
            teacher,
            choice,
            UPCOMING_QUESTIONS,
            title="Бағдарламалау негіздері / Programming Fundamentals: final exam",
            opens_at=soon,
            hours=4,
            publish_at=now,
            duration_minutes=90,
            allow_formulas=False,
        )
    elif exam.opens_at < now + dt.timedelta(hours=12):
        Exam.objects.filter(pk=exam.pk).update(
            opens_at=soon, closes_at=soon + dt.timedelta(hours=4)
        )

    choice = _approved_choice(teacher, head, COMPLETED, group)
    exam = Exam.objects.filter(choice=choice).first()
    if exam is None:
        held = nine - dt.timedelta(days=7)
        exam = _exam(
            teacher,
            choice,
            COMPLETED_QUESTIONS,
            title="Деректер қоры / Databases: final exam",
            opens_at=held,
            hours=4,
            publish_at=held - dt.timedelta(days=1),
            duration_minutes=90,
        )
        for email in COMPLETED_STUDENTS:
            if Student.objects.filter(user__email=email, group=group).exists():
                _sit(exam, email, held + dt.timedelta(minutes=5))

    _no_camera_exam(teacher, head, now)
    _ready_choice(teacher, head)


def _no_camera_exam(teacher: User, head: User, now: dt.datetime) -> None:
    code, group_code = NO_CAMERA
    choice = _approved_choice(teacher, head, code, StudyGroup.objects.get(code=group_code))
    exam = Exam.objects.filter(choice=choice).first()
    if exam is None:
        _exam(
            teacher,
            choice,
            OPEN_QUESTIONS,
            title="Линейная алгебра: итоговый экзамен (без камеры) / Linear Algebra: final exam "
            "(no camera)",
            opens_at=now - dt.timedelta(hours=1),
            hours=24 * 7,
            publish_at=now - dt.timedelta(hours=2),
            duration_minutes=120,
            description=(
                "Письменный экзамен без прокторинга: 3 письменных вопроса и 5 тестовых. "
                "Формулы и рисунки разрешены.\n"
                "Written exam without proctoring: 3 written questions and 5 closed ones. "
                "Formulas and drawings are allowed."
            ),
            allow_formulas=True,
            allow_drawings=True,
            allow_pictures=True,
            proctoring=ProctoringLevel.OFF,
        )
    elif exam.closes_at < now + dt.timedelta(days=1):
        Exam.objects.filter(pk=exam.pk).update(
            opens_at=now - dt.timedelta(hours=1), closes_at=now + dt.timedelta(days=7)
        )


def _ready_choice(teacher: User, head: User) -> None:
    """Approve READY's choice once; after that it is the demo user's (they may create its
    exam, or have it reopened), so running the seed again leaves it alone."""
    code, group_code = READY
    group = StudyGroup.objects.get(code=group_code)
    if not ExamFormChoice.objects.filter(discipline__code=code, group=group).exists():
        _approved_choice(teacher, head, code, group)


def summary() -> list[str]:
    lines = []
    shown = (
        (OPEN, GROUP, "open now"),
        (NO_CAMERA[0], NO_CAMERA[1], "open now"),
        (UPCOMING, GROUP, "upcoming"),
        (COMPLETED, GROUP, "completed"),
    )
    for code, group_code, what in shown:
        exam = Exam.objects.filter(
            choice__discipline__code=code, choice__group__code=group_code
        ).first()
        if exam is not None:
            opens = timezone.localtime(exam.opens_at)
            camera = "camera required" if exam.proctoring == ProctoringLevel.REQUIRED else ""
            lines.append(
                f"{what:<10} {opens:%d.%m %H:%M}  {group_code}  {exam.title}"
                + (f"  [{camera}]" if camera else "")
            )
    code, group_code = READY
    choice = ExamFormChoice.objects.filter(
        discipline__code=code, group__code=group_code, status=ChoiceStatus.APPROVED
    ).first()
    if choice is not None and not Exam.objects.filter(choice=choice).exists():
        lines.append(
            f"no exam yet  {code} · {group_code}: approved exam form, "
            "as teacher@: “My exams” → “Create exam”"
        )
    return lines


def open_exam() -> Exam:
    """The open exam that requires the camera (group IS-2301)."""
    return Exam.objects.get(choice__discipline__code=OPEN, choice__group__code=GROUP)


def completed_exam() -> Exam | None:
    """The completed Databases exam (group IS-2301), with finished sittings to mark."""
    return Exam.objects.filter(
        choice__discipline__code=COMPLETED, choice__group__code=GROUP
    ).first()
