"""The whole exam-form workflow in Chromium, as the people who use it would do it."""

from __future__ import annotations

import pytest
from django.utils import translation

from emtihan.conftest import login
from emtihan.core.pdf import simple_pdf
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def settle(page):
    """Wait until htmx has no request in flight and has finished swapping and settling."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def choose(page, selector: str, value: str):
    settle(page)
    page.select_option(selector, value)
    settle(page)


def open_row(page, code: str, group: str):
    row = page.locator("#choice-table tr.selectable", has_text=code).filter(has_text=group)
    row.click()
    page.wait_for_function("() => document.querySelector('#choice-table tr.selected') !== null")
    page.click("#row-toolbar [data-row-action=edit]")
    page.wait_for_selector("#choice-dialog[open]")
    settle(page)
    return row


def test_teacher_and_head_walk_the_whole_flow(new_page, world, tmp_path):
    teacher = new_page()
    login(teacher, world.teacher.email)

    # 1. The teacher uploads the programme to UMKD, section "Final-exam programme".
    teacher.goto(f"/umkd/{world.algebra.pk}/?section=final_exam_programme")
    pdf = tmp_path / "algebra-programme.pdf"
    pdf.write_bytes(simple_pdf(["Algebra: final-exam programme and method instructions"]))
    teacher.fill("#upload input[name=title]", "Algebra programme 2026")
    teacher.set_input_files("#upload input[type=file]", str(pdf))
    teacher.click("#upload button[type=submit]")
    teacher.wait_for_selector("text=algebra-programme.pdf")

    # 2. Selects the row, fills the dialog; the drop-downs follow Table 1.
    teacher.goto("/exam-forms/")
    row = open_row(teacher, "ALG", "IS-2301")
    assert "selected" in row.get_attribute("class")
    dialog = teacher.locator("#choice-dialog")
    assert dialog.locator("dd", has_text="IS-2301").count() == 1
    platform_values = dialog.locator("#id_platform option").evaluate_all(
        "os => os.map(o => o.value)"
    )
    assert "STARTEXAM" not in platform_values  # algebra is not a medical discipline
    choose(teacher, "#id_platform", "MOODLE")
    teacher.wait_for_selector("#id_form:not([disabled]) >> option[value=MIXED]", state="attached")
    assert dialog.locator("[data-platform-instructions]", has_text="Moodle").count() == 1
    choose(teacher, "#id_form", "WRITTEN")
    teacher.wait_for_selector("#id_exam_type option[value=ESSAY]", state="attached")
    choose(teacher, "#id_platform", "UNIVER")
    teacher.wait_for_selector("#id_form option[value=ORAL]", state="attached")
    assert dialog.locator("[data-platform-instructions]", has_text="UNIVER").count() == 1
    choose(teacher, "#id_form", "ORAL")
    teacher.wait_for_selector("[data-no-type]")
    teacher.fill("#id_additional_info", "Zoom")
    option = dialog.locator("#id_programme option", has_text="Algebra programme 2026")
    teacher.select_option("#id_programme", option.get_attribute("value"))
    teacher.click("#choice-dialog button[type=submit]")
    teacher.wait_for_selector("#choice-dialog", state="detached")
    row = teacher.locator("#choice-table tr", has_text="ALG").filter(has_text="IS-2301")
    assert "Sent for review" in row.inner_text()
    assert "Zoom" in row.inner_text()

    # 3. The head returns it with a comment.
    head = new_page()
    login(head, world.head.email)
    head.goto("/exam-forms/review/?status=submitted")
    head.locator("#review-table tr", has_text="ALG").get_by_role("button").click()
    head.wait_for_selector("#review-dialog[open]")
    head.fill("#review-comment", "Please use the university's BigBlueButton.")
    head.click("#review-dialog button[value=return]")
    head.wait_for_selector(".messages >> text=Returned to the teacher")
    assert ExamFormChoice.objects.get().status == ChoiceStatus.RETURNED

    # 4. The teacher sees the comment, edits and sends again.
    teacher.goto("/exam-forms/")
    row = teacher.locator("#choice-table tr", has_text="ALG").filter(has_text="IS-2301")
    assert "Returned for changes" in row.inner_text()
    assert "BigBlueButton" in row.inner_text()
    open_row(teacher, "ALG", "IS-2301")
    assert teacher.locator("#choice-dialog .history", has_text="BigBlueButton").count() == 1
    teacher.fill("#id_additional_info", "BigBlueButton")
    teacher.click("#choice-dialog button[type=submit]")
    teacher.wait_for_selector("#choice-dialog", state="detached")

    # 5. The head approves.
    head.goto("/exam-forms/review/?status=submitted")
    head.locator("#review-table tr", has_text="ALG").get_by_role("button").click()
    head.wait_for_selector("#review-dialog[open]")
    head.click("#review-dialog button[value=approve]")
    head.wait_for_selector(".messages >> text=Approved")

    # 6. The teacher sees "Approved" and can no longer edit.
    teacher.goto("/exam-forms/")
    row = teacher.locator("#choice-table tr", has_text="ALG").filter(has_text="IS-2301")
    assert "Approved" in row.inner_text()
    open_row(teacher, "ALG", "IS-2301")
    assert teacher.locator("#choice-dialog button[type=submit]").count() == 0
    assert teacher.locator("#choice-dialog", has_text="can no longer be changed").count() == 1
    choice = ExamFormChoice.objects.get()
    assert (choice.status, choice.additional_info) == (ChoiceStatus.APPROVED, "BigBlueButton")
    assert [t.to_status for t in choice.transitions.all()] == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_list_page_in_every_language(new_page, world, language):
    page = new_page()
    login(page, world.teacher.email)
    page.goto("/exam-forms/")
    page.click(f".langswitch button[value={language}]")
    page.wait_for_selector(f"html[lang={language}]")
    with translation.override(language):
        heading = translation.gettext("Final-exam forms and platforms")
        edit = translation.gettext("Edit")
        not_chosen = str(ChoiceStatus.NOT_CHOSEN.label)
    if language != "en":
        assert heading != "Final-exam forms and platforms", f"no {language} translation"
    assert page.locator("h1").inner_text() == heading
    assert page.locator("#row-toolbar [data-row-action=edit]").inner_text() == edit
    assert page.locator("#choice-table .status").first.inner_text() == not_chosen
    # The language choice sticks across pages.
    page.goto("/umkd/")
    assert page.locator("html").get_attribute("lang") == language
