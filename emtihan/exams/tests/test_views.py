"""The teacher's exam pages: what they show, what their forms do, who may see them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from emtihan.exams import services
from emtihan.exams.models import Exam, ExamStatus, Question, QuestionImport, QuestionKind

from .conftest import FIXTURES, add_question, approve, window


@pytest.fixture
def teacher_client(client, world):
    client.force_login(world.teacher)
    return client


def local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


def settings_post(**changes) -> dict:
    opens, closes = window()
    data = {
        "title": "Algebra final",
        "opens_at": local(opens),
        "closes_at": local(closes),
        "duration_minutes": "90",
        "description": "Rules",
        "allow_formulas": "on",
        "allowed_other": "",
        "timeout_policy": "last_draft",
        "absence_cap_minutes": "20",
        "shuffle_questions": "on",
        "proctoring": "off",
        "snapshot_interval_seconds": "20",
        "identity_check_attempts": "3",
        "proctoring_retention_days": "90",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_list_shows_exams_and_choices_waiting_for_one(teacher_client, world, choice):
    other = approve(
        world, discipline=world.physics, platform="UNIVER", form="TESTING", exam_type=""
    )
    approve(
        world,
        discipline=world.algebra,
        group=world.g2,
        platform="MOODLE",
        form="TESTING",
        exam_type="",
    )
    exam = services.exam_create(
        actor=world.teacher,
        choice=other,
        title="Physics test",
        opens_at=window()[0],
        closes_at=window()[1],
        duration_minutes=45,
    )
    response = teacher_client.get(reverse("exams:list"))
    assert response.status_code == 200
    assert list(response.context["exams"]) == [exam]
    assert response.context["choices"] == [choice]  # the Moodle one is held elsewhere
    assert reverse("exams:create", args=[choice.pk]) in response.content.decode()


def test_the_list_is_empty_for_someone_else(client, world, choice):
    client.force_login(world.other_teacher)
    response = client.get(reverse("exams:list"))
    assert response.context["choices"] == [] and response.context["exams"] == []


def test_the_list_is_for_teachers_and_staff(client, world, choice):
    for user in (world.student, world.outsider):
        client.force_login(user)
        assert client.get(reverse("exams:list")).status_code == 403
    client.force_login(world.registrar)
    assert client.get(reverse("exams:list")).context["choices"] == [choice]


def test_create_an_exam_through_the_form(teacher_client, world, choice):
    url = reverse("exams:create", args=[choice.pk])
    page = teacher_client.get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["title"] == "Algebra · IS-2301"
    data = settings_post(opens_at="2027-01-10T09:00", closes_at="2027-01-10T13:00")
    response = teacher_client.post(url, data)
    exam = Exam.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exams:detail", args=[exam.pk])
    # The window is typed in local (Almaty) time.
    assert exam.opens_at == dt.datetime(2027, 1, 10, 4, 0, tzinfo=dt.UTC)
    assert exam.allow_formulas and not exam.allow_drawings
    assert exam.shuffle_questions and not exam.shuffle_options
    assert exam.absence_cap_seconds == 1200


def test_create_shows_service_errors_beside_the_fields(teacher_client, choice):
    opens, _closes = window()
    response = teacher_client.post(
        reverse("exams:create", args=[choice.pk]),
        settings_post(opens_at=local(opens), closes_at=local(opens)),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["closes_at"] == [services.ERR_WINDOW_ORDER]
    assert not Exam.objects.exists()


def test_a_long_duration_is_saved_with_a_warning(teacher_client, choice):
    opens, _closes = window()
    response = teacher_client.post(
        reverse("exams:create", args=[choice.pk]),
        settings_post(closes_at=local(opens + dt.timedelta(hours=1)), opens_at=local(opens)),
        follow=True,
    )
    assert Exam.objects.exists()
    assert "longer than the window" in response.content.decode()


def test_pages_of_an_exam_are_hidden_from_others(client, world, exam):
    for user in (world.other_teacher, world.outsider, world.student):
        client.force_login(user)
        for url in (
            reverse("exams:detail", args=[exam.pk]),
            reverse("exams:edit", args=[exam.pk]),
            reverse("exams:import", args=[exam.pk]),
            reverse("exams:question_create", args=[exam.pk, "single"]),
        ):
            assert client.get(url).status_code == 404
    client.force_login(world.other_teacher)
    assert client.get(reverse("exams:create", args=[exam.choice.pk])).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, exam):
    response = client.get(reverse("exams:detail", args=[exam.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_detail_page(teacher_client, world, exam):
    add_question(world, exam, body="<p>What is <b>2+2</b>?</p>", name="Sum")
    pool = services.pool_create(actor=world.teacher, exam=exam, name="Theory", pick=2)
    add_question(world, exam, kind=QuestionKind.WRITTEN, pool=pool)
    services.accommodation_set(
        actor=world.teacher, exam=exam, student=world.student.student, extra_minutes=15
    )
    response = teacher_client.get(reverse("exams:detail", args=[exam.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sum" in html and "What is 2+2?" in html
    assert "Theory" in html
    assert response.context["problems"] == [
        services.ERR_POOL_TOO_SMALL % {"name": "Theory", "have": 1, "pick": 2}
    ]
    assert "Student One" in html
    for kind in QuestionKind.values:
        assert reverse("exams:question_create", args=[exam.pk, kind]) in html


def test_edit_settings(teacher_client, exam):
    url = reverse("exams:edit", args=[exam.pk])
    page = teacher_client.get(url)
    assert page.context["form"].initial["absence_cap_minutes"] == 20
    response = teacher_client.post(url, settings_post(title="Renamed", absence_cap_minutes="25"))
    assert response.status_code == 302
    exam.refresh_from_db()
    assert (exam.title, exam.absence_cap_seconds) == ("Renamed", 1500)


def test_add_a_single_choice_question_with_option_rows(teacher_client, exam):
    url = reverse("exams:question_create", args=[exam.pk, "single"])
    assert teacher_client.get(url).status_code == 200
    response = teacher_client.post(
        url,
        {
            "kind": "single",
            "name": "Capital",
            "body": "<p>Capital?</p><script>x()</script>",
            "points": "2",
            "pool": "",
            "order": "",
            "option_id": ["", "", "", ""],
            "option_html": ["Astana", "Almaty", "", ""],
            "option_fraction": ["100", "0", "", ""],
        },
    )
    assert response.status_code == 302
    question = Question.objects.get()
    assert question.body == "<p>Capital?</p>"
    assert question.spec == {
        "options": [
            {"id": "a", "html": "Astana", "fraction": 1.0},
            {"id": "b", "html": "Almaty", "fraction": 0.0},
        ]
    }


def test_a_bad_spec_is_shown_with_the_rows_as_typed(teacher_client, exam):
    url = reverse("exams:question_create", args=[exam.pk, "multiple"])
    response = teacher_client.post(
        url,
        {
            "kind": "multiple",
            "body": "<p>Which?</p>",
            "points": "1",
            "option_id": ["x", "y"],
            "option_html": ["One", "Two"],
            "option_fraction": ["50", "0"],
        },
    )
    assert response.status_code == 200
    assert response.context["spec_errors"] == [
        "The positive fractions of a multiple-choice question must add up to 100% (they add up to 50%)."
    ]
    assert [r["id"] for r in response.context["rows"] if r["id"]] == ["x", "y"]
    assert not Question.objects.exists()


def test_numeric_short_and_true_false_rows(teacher_client, exam):
    numeric = reverse("exams:question_create", args=[exam.pk, "numeric"])
    teacher_client.post(
        numeric,
        {
            "kind": "numeric",
            "body": "<p>Pi?</p>",
            "points": "1",
            "answer_value": ["3,14", ""],
            "answer_tolerance": ["0,01", ""],
            "answer_fraction": ["", ""],
        },
    )
    short = reverse("exams:question_create", args=[exam.pk, "short"])
    teacher_client.post(
        short,
        {
            "kind": "short",
            "body": "<p>Poet?</p>",
            "points": "1",
            "case_sensitive": "on",
            "answer_text": ["*Abai*", "Kunanbaiuly", ""],
            "answer_fraction": ["100", "50", ""],
        },
    )
    true_false = reverse("exams:question_create", args=[exam.pk, "true_false"])
    teacher_client.post(
        true_false,
        {"kind": "true_false", "body": "<p>Ice is cold.</p>", "points": "1", "correct": "true"},
    )
    numeric_q, short_q, tf_q = Question.objects.order_by("order")
    assert numeric_q.spec == {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}
    assert short_q.spec == {
        "answers": [{"text": "*Abai*", "fraction": 1.0}, {"text": "Kunanbaiuly", "fraction": 0.5}],
        "case_sensitive": True,
    }
    assert tf_q.spec == {"correct": True}
    # The edit page shows the stored rows back in percent.
    page = teacher_client.get(reverse("exams:question_edit", args=[exam.pk, short_q.pk]))
    assert page.context["rows"][:2] == [
        {"text": "*Abai*", "value": "", "tolerance": "", "fraction": "100"},
        {"text": "Kunanbaiuly", "value": "", "tolerance": "", "fraction": "50"},
    ]


def test_edit_and_delete_a_question(teacher_client, world, exam):
    question = add_question(world, exam)
    url = reverse("exams:question_edit", args=[exam.pk, question.pk])
    page = teacher_client.get(url)
    assert page.context["rows"][0]["html"] == "<p>Alpha</p>"
    response = teacher_client.post(
        url,
        {
            "kind": "multiple",
            "body": "<p>Several now</p>",
            "points": "1",
            "option_id": ["a", "b"],
            "option_html": ["A", "B"],
            "option_fraction": ["50", "50"],
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.kind == "multiple"
    url = reverse("exams:question_delete", args=[exam.pk, question.pk])
    teacher_client.post(url)  # no confirmation: the question is asked, nothing deleted
    assert Question.objects.exists()
    teacher_client.post(url, {"confirmed": "yes"})
    assert not Question.objects.exists()


def test_pools_and_extra_time_from_the_detail_page(teacher_client, world, exam):
    teacher_client.post(
        reverse("exams:pool_create", args=[exam.pk]), {"name": "Theory", "pick": "1"}
    )
    pool = exam.pools.get()
    teacher_client.post(
        reverse("exams:pool_edit", args=[exam.pk, pool.pk]), {"name": "Theory I", "pick": "2"}
    )
    pool.refresh_from_db()
    assert (pool.name, pool.pick) == ("Theory I", 2)
    url = reverse("exams:pool_delete", args=[exam.pk, pool.pk])
    teacher_client.post(url)
    assert exam.pools.exists()
    teacher_client.post(url, {"confirmed": "yes"})
    assert not exam.pools.exists()

    student = world.student.student
    teacher_client.post(
        reverse("exams:accommodation_set", args=[exam.pk]),
        {"student": str(student.pk), "extra_minutes": "30", "reason": "Medical"},
    )
    accommodation = exam.accommodations.get()
    assert accommodation.extra_minutes == 30
    url = reverse("exams:accommodation_delete", args=[exam.pk, accommodation.pk])
    page = teacher_client.get(url).content.decode()
    assert "Remove the extra time of Student One (30 minutes)?" in page
    teacher_client.post(url)
    assert exam.accommodations.exists()
    teacher_client.post(url, {"confirmed": "yes"})
    assert not exam.accommodations.exists()


def test_publish_withdraw_and_delete(teacher_client, world, exam):
    url = reverse("exams:publish", args=[exam.pk])
    response = teacher_client.post(url, follow=True)
    assert services.ERR_NO_QUESTIONS in response.content.decode()
    add_question(world, exam)
    teacher_client.post(url)
    exam.refresh_from_db()
    assert exam.status == ExamStatus.PUBLISHED
    teacher_client.post(url, {"action": "unpublish"})
    exam.refresh_from_db()
    assert exam.status == ExamStatus.DRAFT
    response = teacher_client.post(reverse("exams:delete", args=[exam.pk]), {"confirmed": "yes"})
    assert response["Location"] == reverse("exams:list")
    assert not Exam.objects.exists()


def test_import_page_shows_the_report(teacher_client, exam):
    url = reverse("exams:import", args=[exam.pk])
    assert teacher_client.get(url).status_code == 200
    with open(FIXTURES / "moodle" / "questions.gift.txt", "rb") as handle:
        response = teacher_client.post(url, {"file": handle, "fmt": "auto", "encoding": ""})
    job = QuestionImport.objects.get()
    assert response["Location"] == reverse("exams:import_detail", args=[exam.pk, job.pk])
    response = teacher_client.get(response["Location"])
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["result"].imported == 8
    assert "8 questions were imported." in html
    assert "Matching questions are not supported." in html
    assert 'hx-trigger="every 1s"' not in html  # finished: the page stops asking
    assert job.data == b""  # the file is not kept once read
    with open(FIXTURES / "moodle" / "error_invalid_grades.xml", "rb") as handle:
        response = teacher_client.post(url, {"file": handle, "fmt": "moodle_xml"}, follow=True)
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert "33% is not one of Moodle" in html
    assert exam.questions.count() == 8
    listing = teacher_client.get(url).content.decode()
    assert "questions.gift.txt" in listing and "error_invalid_grades.xml" in listing


def test_every_delete_asks_first_and_deletes_nothing_until_confirmed(teacher_client, world, exam):
    """A "Delete" link opens a page that names what goes; a POST without confirmed=yes
    (an old tab, a script) gets the same page; only the confirmed POST deletes."""
    question = add_question(world, exam, body="<p>2&nbsp;&gt;&nbsp;1, &amp; more</p>")
    url = reverse("exams:question_delete", args=[exam.pk, question.pk])
    for response in (teacher_client.get(url), teacher_client.post(url)):
        page = response.content.decode()
        assert response.status_code == 200
        assert "Delete question 1: “2 &gt; 1, &amp; more”?" in page
        assert 'name="confirmed" value="yes"' in page
        assert f'href="{reverse("exams:detail", args=[exam.pk])}#questions"' in page
    assert Question.objects.filter(pk=question.pk).exists()

    url = reverse("exams:delete", args=[exam.pk])
    page = teacher_client.get(url).content.decode()
    assert "Delete the exam “Algebra final” and its 1 question?" in page
    teacher_client.post(url, {"confirmed": "no"})
    assert Exam.objects.filter(pk=exam.pk).exists()


def test_the_question_list_reads_the_text_not_its_html(teacher_client, world, exam):
    add_question(world, exam, body="<p>Is 2&nbsp;&gt;&nbsp;1?</p><p>Explain&nbsp;why.</p>")
    page = teacher_client.get(reverse("exams:detail", args=[exam.pk])).content.decode()
    assert "Is 2 &gt; 1? Explain why." in page
    assert "&amp;nbsp;" not in page and "&nbsp;" not in page.split('id="questions"')[1]
