"""A head of department finds "Export" in the menu and downloads their departments' exam
forms (issue 8: heads could export, but only by typing the URL). Teachers and students
have no such entry."""

from __future__ import annotations

import io

import openpyxl
import pytest

from emtihan.conftest import login
from emtihan.examforms.services import ChoiceInput, choice_save

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_head_exports_their_department_from_the_menu(new_page, world, programmes):
    choice_save(
        actor=world.teacher, discipline=world.algebra, group=world.g1,
        data=ChoiceInput(platform="UNIVER", form="TESTING", programme_id=programmes["algebra"].pk),
    )  # fmt: skip
    page = new_page()
    login(page, world.head.email)
    page.locator(".mainnav").get_by_role("link", name="Export").click()
    page.wait_for_url("**/exam-forms/export/")
    options = page.locator("#scope option").all_inner_texts()
    assert options == ["MATH · Mathematics", "PHYS · Physics"]  # theirs only, no "all"
    page.select_option("#scope", label="MATH · Mathematics")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download XLSX").click()
    assert download.value.suggested_filename == "exam-forms-2026-2027-1-MATH.xlsx"
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    assert any("ALG" in str(cell.value) for row in sheet.iter_rows() for cell in row)


def test_teachers_and_students_have_no_export_entry(new_page, world):
    for email, password in ((world.teacher.email, "pass-2026"), (world.student.email, "100001")):
        page = new_page()
        login(page, email, password)
        assert page.locator(".mainnav").get_by_role("link", name="Export").count() == 0
