"""question_create / question_update / question_delete and the spec of every kind."""

from __future__ import annotations

import base64
from decimal import Decimal

import pytest

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams import services, specs
from emtihan.exams.models import Question, QuestionKind

from .conftest import MULTI, OPTIONS, SPECS, add_question, approve, new_exam, opened, png_bytes


@pytest.mark.parametrize("kind", list(SPECS))
def test_every_kind_is_created_with_its_spec(world, exam, kind):
    question = add_question(world, exam, kind=kind, points="2.5", name="  Q  one ")
    question.refresh_from_db()
    assert question.kind == kind
    assert question.points == Decimal("2.50")
    assert question.name == "Q one"
    assert question.pool is None
    assert question.order == 1
    entry = AuditEntry.objects.get(action="exams.question_create", object_id=str(question.pk))
    assert entry.data["kind"] == kind
    assert len(entry.data["content"]) == 16  # a digest, not the body itself


def test_the_body_and_option_html_are_sanitised(world, exam):
    question = add_question(
        world,
        exam,
        body='<p onclick="x()">Solve <span class="math" data-latex="x^2">\\(x^2\\)</span></p><script>alert(1)</script>',
        spec={
            "options": [
                {
                    "id": "a",
                    "html": '<img src="javascript:alert(1)">One<iframe></iframe>',
                    "fraction": 1,
                },
                {"id": "b", "html": "<b>Two</b>", "fraction": 0},
            ]
        },
    )
    assert question.body == '<p>Solve <span class="math" data-latex="x^2">\\(x^2\\)</span></p>'
    assert question.spec["options"][0]["html"] == "<img>One"
    assert question.spec["options"][1] == {"id": "b", "html": "<b>Two</b>", "fraction": 0.0}


def test_new_questions_go_to_the_end(world, exam):
    first = add_question(world, exam)
    pool = services.pool_create(actor=world.teacher, exam=exam, name="P", pick=1)
    second = add_question(world, exam)
    assert (first.order, pool.order, second.order) == (1, 2, 3)
    third = add_question(world, exam, order=0)
    assert third.order == 0


@pytest.mark.parametrize(
    ("kind", "spec", "message"),
    [
        (QuestionKind.SINGLE, {"options": OPTIONS[:1]}, specs.ERR_OPTIONS_TOO_FEW),
        (QuestionKind.SINGLE, {}, specs.ERR_OPTIONS_TOO_FEW),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "id": "b"}, OPTIONS[1]]}, specs.ERR_OPTION_ID),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "id": "a b"}, OPTIONS[1]]}, specs.ERR_OPTION_ID),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "html": "<p> </p>"}, OPTIONS[1]]}, specs.ERR_OPTION_EMPTY),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "fraction": 1.5}, OPTIONS[1]]}, specs.ERR_FRACTION),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "fraction": "lots"}, OPTIONS[1]]}, specs.ERR_FRACTION),
        (QuestionKind.SINGLE, {"options": [{**OPTIONS[0], "fraction": 0.5}, OPTIONS[1]]}, specs.ERR_SINGLE_ONE_CORRECT),
        (QuestionKind.SINGLE, {"options": [OPTIONS[0], {**OPTIONS[1], "fraction": 1}]}, specs.ERR_SINGLE_ONE_CORRECT),
        (QuestionKind.MULTIPLE, {"options": [{**o, "fraction": -0.5} for o in MULTI]}, specs.ERR_MULTIPLE_NONE_CORRECT),
        (QuestionKind.MULTIPLE, {"options": [MULTI[0], MULTI[2]]}, specs.ERR_MULTIPLE_SUM),
        (QuestionKind.TRUE_FALSE, {}, specs.ERR_TRUE_FALSE),
        (QuestionKind.TRUE_FALSE, {"correct": "yes"}, specs.ERR_TRUE_FALSE),
        (QuestionKind.SHORT, {"answers": []}, specs.ERR_ANSWERS_NONE),
        (QuestionKind.SHORT, {"answers": [{"text": " ", "fraction": 1}]}, specs.ERR_ANSWER_TEXT),
        (QuestionKind.SHORT, {"answers": [{"text": "x", "fraction": 0.5}]}, specs.ERR_ANSWERS_NONE_FULL),
        (QuestionKind.SHORT, {"answers": [{"text": "x", "fraction": -1}]}, specs.ERR_FRACTION),
        (QuestionKind.NUMERIC, {"answers": [{"value": "pi", "fraction": 1}]}, specs.ERR_ANSWER_VALUE),
        (QuestionKind.NUMERIC, {"answers": [{"value": 3, "tolerance": -1, "fraction": 1}]}, specs.ERR_ANSWER_TOLERANCE),
        (QuestionKind.NUMERIC, {"answers": [{"value": float("inf"), "fraction": 1}]}, specs.ERR_ANSWER_VALUE),
        (QuestionKind.NUMERIC, {"answers": [{"value": 3, "fraction": 0}]}, specs.ERR_ANSWERS_NONE_FULL),
        (QuestionKind.SINGLE, ["not", "an", "object"], specs.ERR_SPEC_NOT_OBJECT),
    ],
)  # fmt: skip
def test_invalid_specs_are_refused(world, exam, kind, spec, message):
    with pytest.raises(ValidationFailed) as exc:
        add_question(world, exam, kind=kind, spec=spec)
    first = message.split("%(")[0].replace("%%", "%")
    assert any(m.startswith(first) for m in exc.value.errors["spec"]), exc.value.errors
    assert not Question.objects.exists()


def test_the_positive_fractions_of_a_multiple_choice_may_be_moodle_thirds(world, exam):
    third = 0.3333333
    options = [{"id": c, "html": c, "fraction": third} for c in "abc"]
    question = add_question(world, exam, kind=QuestionKind.MULTIPLE, spec={"options": options})
    assert [o["fraction"] for o in question.spec["options"]] == [third] * 3


def test_numbers_in_specs_may_be_typed_with_a_comma(world, exam):
    question = add_question(
        world,
        exam,
        kind=QuestionKind.NUMERIC,
        spec={"answers": [{"value": "3,14", "tolerance": "0,01", "fraction": "1"}]},
    )
    assert question.spec == {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"body": "<p> </p><script>x</script>"}, "body", services.ERR_BODY_REQUIRED),
        ({"points": 0}, "points", services.ERR_POINTS),
        ({"points": "1001"}, "points", services.ERR_POINTS),
        ({"points": "many"}, "points", services.ERR_POINTS),
        ({"kind": "essay"}, "kind", services.ERR_KIND),
        ({"order": -1}, "order", services.ERR_ORDER),
        ({"name": "x" * 256}, "name", services.ERR_NAME_TOO_LONG),
    ],
)
def test_invalid_questions_are_refused_beside_their_field(world, exam, fields, field, message):
    values = {"kind": QuestionKind.SINGLE, "body": "<p>Q</p>", "spec": SPECS["single"], **fields}
    with pytest.raises(ValidationFailed) as exc:
        services.question_create(actor=world.teacher, exam=exam, **values)
    assert exc.value.errors[field] == [message]


def test_a_pool_of_another_exam_is_refused(world, exam):
    other = new_exam(world, approve(world, discipline=world.physics))
    foreign = services.pool_create(actor=world.teacher, exam=other, name="P", pick=1)
    with pytest.raises(ValidationFailed) as exc:
        add_question(world, exam, pool=foreign)
    assert exc.value.errors["pool"] == [services.ERR_POOL_OTHER_EXAM]


def test_update_and_delete(world, exam):
    question = add_question(world, exam)
    pool = services.pool_create(actor=world.teacher, exam=exam, name="P", pick=1)
    updated = services.question_update(
        actor=world.teacher,
        question=question,
        kind=QuestionKind.MULTIPLE,
        body="<p>Now several</p>",
        spec={"options": MULTI},
        points=3,
        pool=pool,
    )
    updated.refresh_from_db()
    assert (updated.kind, updated.body, updated.points, updated.pool) == (
        QuestionKind.MULTIPLE,
        "<p>Now several</p>",
        Decimal(3),
        pool,
    )
    assert updated.order == question.order
    services.question_delete(actor=world.teacher, question=updated)
    assert not Question.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_id=str(question.pk), action__startswith="exams.question")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["exams.question_create", "exams.question_update", "exams.question_delete"]


def test_other_teachers_cannot_touch_questions(world, exam):
    question = add_question(world, exam)
    with pytest.raises(PermissionDeniedError):
        services.question_create(
            actor=world.other_teacher, exam=exam, kind="written", body="<p>x</p>"
        )
    with pytest.raises(PermissionDeniedError):
        services.question_delete(actor=world.outsider, question=question)


def test_questions_of_an_opened_published_exam_are_frozen(world, exam):
    question = add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    at = opened(exam)
    for attempt in (
        lambda: add_question(world, exam, now=at),
        lambda: services.question_update(
            actor=world.teacher, question=question, kind="single", body="<p>x</p>",
            spec=SPECS["single"], now=at,
        ),
        lambda: services.question_delete(actor=world.teacher, question=question, now=at),
        lambda: services.pool_create(actor=world.teacher, exam=exam, name="P", pick=1, now=at),
    ):  # fmt: skip
        with pytest.raises(DomainError) as exc:
            attempt()
        assert exc.value.message == services.ERR_LOCKED
        assert "window has opened" in exc.value.message
    # A draft exam is never frozen, whatever the time.
    services.exam_unpublish(actor=world.teacher, exam=exam)
    add_question(world, exam, now=at)


def test_a_published_exam_keeps_what_publishing_needs(world, exam):
    question = add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    with pytest.raises(DomainError) as exc:
        services.question_delete(actor=world.teacher, question=question)
    assert exc.value.message == services.ERR_NO_QUESTIONS
    assert Question.objects.filter(pk=question.pk).exists()
    with pytest.raises(DomainError):
        services.pool_create(actor=world.teacher, exam=exam, name="Empty", pick=1)


# --- pools --------------------------------------------------------------------------------


def test_pool_create_update_delete(world, exam):
    pool = services.pool_create(actor=world.teacher, exam=exam, name=" Theory ", pick=2)
    assert (pool.name, pool.pick) == ("Theory", 2)
    services.pool_update(actor=world.teacher, pool=pool, name="Theory I", pick=1, order=7)
    pool.refresh_from_db()
    assert (pool.name, pool.pick, pool.order) == ("Theory I", 1, 7)
    question = add_question(world, exam, pool=pool)
    with pytest.raises(DomainError) as exc:
        services.pool_delete(actor=world.teacher, pool=pool)
    assert exc.value.message == services.ERR_POOL_NOT_EMPTY
    services.question_delete(actor=world.teacher, question=question)
    services.pool_delete(actor=world.teacher, pool=pool)
    assert not exam.pools.exists()
    assert AuditEntry.objects.filter(action__startswith="exams.pool_").count() == 3


@pytest.mark.parametrize(
    ("name", "pick", "field"), [("", 1, "name"), ("P", 0, "pick"), ("P", "two", "pick")]
)
def test_invalid_pools_are_refused(world, exam, name, pick, field):
    with pytest.raises(ValidationFailed) as exc:
        services.pool_create(actor=world.teacher, exam=exam, name=name, pick=pick)
    assert field in exc.value.errors


# --- accommodations -----------------------------------------------------------------------


def test_extra_time_for_a_student_of_the_group(world, exam):
    student = world.student.student
    accommodation = services.accommodation_set(
        actor=world.teacher, exam=exam, student=student, extra_minutes=30, reason="Medical"
    )
    assert (accommodation.extra_minutes, accommodation.reason) == (30, "Medical")
    again = services.accommodation_set(
        actor=world.teacher, exam=exam, student=student, extra_minutes=45
    )
    assert again.pk == accommodation.pk
    assert again.extra_minutes == 45
    services.accommodation_delete(actor=world.teacher, accommodation=again)
    assert not exam.accommodations.exists()
    assert AuditEntry.objects.filter(action__startswith="exams.accommodation_").count() == 3


def test_extra_time_is_refused_for_another_group_or_bad_minutes(world, exam):
    from emtihan.conftest import make_user
    from emtihan.university.models import Student

    other = Student.objects.create(
        user=make_user("s2@test.local", "student"), student_id="100002", group=world.g2
    )
    with pytest.raises(ValidationFailed) as exc:
        services.accommodation_set(actor=world.teacher, exam=exam, student=other, extra_minutes=10)
    assert exc.value.errors["student"] == [services.ERR_STUDENT_NOT_IN_GROUP]
    with pytest.raises(ValidationFailed) as exc:
        services.accommodation_set(
            actor=world.teacher, exam=exam, student=world.student.student, extra_minutes=0
        )
    assert "extra_minutes" in exc.value.errors
    with pytest.raises(PermissionDeniedError):
        services.accommodation_set(
            actor=world.other_teacher, exam=exam, student=world.student.student, extra_minutes=5
        )


def _data_url(content: bytes, mime: str = "image/png") -> str:
    return f"data:{mime};base64," + base64.b64encode(content).decode()


def test_pictures_inside_a_question_are_checked_by_their_bytes_and_size(world, exam):
    png = png_bytes()
    question = add_question(world, exam, body=f'<p>Graph: <img src="{_data_url(png)}"></p>')
    assert f'src="{_data_url(png)}"' in question.body

    with pytest.raises(ValidationFailed) as exc:  # says PNG, is a text file
        add_question(world, exam, body=f'<p>A</p><img src="{_data_url(b"hello, world")}">')
    assert exc.value.errors["body"] == [
        "Picture 1 of the question is not a PNG, JPEG, GIF or WebP picture, or is damaged."
    ]
    with pytest.raises(ValidationFailed) as exc:  # a PNG's bytes under a JPEG's name
        add_question(world, exam, body=f'<p>B</p><img src="{_data_url(png, "image/jpeg")}">')
    assert "Picture 1 " in exc.value.errors["body"][0]

    big = png_bytes(1200, 1000, mode="RGBA")
    big += b"\0" * (services.MAX_BODY_PICTURE_BYTES + 1 - len(big))  # junk after the image
    with pytest.raises(ValidationFailed) as exc:
        add_question(
            world,
            exam,
            body=f'<img src="{_data_url(png)}"><img src="{_data_url(big)}"><p>C</p>',
        )
    assert exc.value.errors["body"] == ["Picture 2 of the question is larger than 2 MB."]
    assert Question.objects.filter(exam=exam).count() == 1  # nothing half-written
