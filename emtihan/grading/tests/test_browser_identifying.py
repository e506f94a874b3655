"""In Chromium: the exam office opens "Identifying marks" from the menu, sees the matching
text highlighted, dismisses one work's marks and sends another's sitting to a decision
(landing on the exam's decisions page); a grader's menu has no such entry."""

from __future__ import annotations

import pytest

from emtihan.attempts.models import AnswerVersion
from emtihan.attempts.tests.conftest import doc
from emtihan.audit.models import AuditEntry
from emtihan.conftest import login
from emtihan.core.tests.a11y import assert_no_axe_violations
from emtihan.exams.models import QuestionKind
from emtihan.grading.models import FlagState, IdentityFlag, Work
from emtihan.grading.services import works_ensure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANSWERS = [
    "Жауап: 3НФ.\nБұл жұмысты Сейітованың өзі орындады.",  # the first student's surname
    "Ответ: индекс ускоряет поиск. Меня зовут Дмитрий.",  # the second's self-introduction
]


def sign(attempt, text: str) -> None:
    written = next(e["q"] for e in attempt.layout if e["kind"] == QuestionKind.WRITTEN)
    version = (
        AnswerVersion.objects.filter(answer__attempt=attempt, answer__question_id=written)
        .order_by("-number")
        .first()
    )
    version.content = doc(text)
    version.save()


def test_the_exam_office_dismisses_one_and_refers_another(new_page, pile, world):
    for attempt, text in zip(pile.attempts, ANSWERS, strict=False):
        sign(attempt, text)
    works_ensure(exam=pile.exam)
    first, second = (Work.objects.get(attempt=a) for a in pile.attempts[:2])

    grader = new_page()
    login(grader, pile.grader.email)
    grader.goto("/")
    assert grader.get_by_role("link", name="Identifying marks").count() == 0

    office = new_page()
    login(office, world.registrar.email)
    office.goto("/")
    office.get_by_role("link", name="Identifying marks").first.click()
    office.wait_for_selector(f"#flagged-{first.code}")
    assert office.inner_text(f"#flagged-{first.code} mark") == "Сейітованың"
    marked = office.locator(f"#flagged-{second.code} mark").all_inner_texts()
    assert "Меня зовут" in marked and "Дмитрий" in marked
    assert_no_axe_violations(office, "identifying marks")

    section = office.locator(f"#flagged-{first.code}")
    section.get_by_label("Note (kept with the decision)").fill("Бұл оқулықтағы автордың аты емес")
    section.get_by_role("button", name="Not identifying: dismiss").click()
    office.get_by_text(f"Marks of work {first.code} dismissed.").wait_for()
    assert office.locator(f"#flagged-{first.code}").count() == 0
    assert set(IdentityFlag.objects.filter(work=first).values_list("state", flat=True)) == {
        FlagState.DISMISSED
    }

    section = office.locator(f"#flagged-{second.code}")
    section.get_by_role("button", name="Send the sitting to a decision").click()
    office.wait_for_url(f"**/decisions/exams/{pile.exam.pk}/")
    office.get_by_text(f"Decide on the sitting of work {second.code} here").wait_for()
    assert set(IdentityFlag.objects.filter(work=second).values_list("state", flat=True)) == {
        FlagState.REFERRED
    }
    decisions = list(
        AuditEntry.objects.filter(action="grading.identifying").values_list(
            "data__decision", flat=True
        )
    )
    assert sorted(decisions) == ["dismiss", "refer"]
