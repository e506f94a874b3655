"""The student's page before the exam (``proctoring:precheck``) and what the exam page
says beside Start (docs/PROCTORING.md, "Before the sitting"). The camera parts run in
Chromium: test_browser_precheck.py."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from emtihan.exams.models import ProctoringLevel
from emtihan.proctoring import services
from emtihan.proctoring.models import IdentityStatus, ProctoringSession
from emtihan.proctoring.rules import ERR_START_CONSENT, ERR_START_DEVICE, ERR_START_IDENTITY

from .conftest import make_exam


@pytest.fixture
def open_exam(world):
    return make_exam(
        world,
        proctoring=ProctoringLevel.REQUIRED,
        opens_at=timezone.now() - dt.timedelta(minutes=5),
    )


def _page(client, exam):
    return client.get(reverse("proctoring:precheck", args=[exam.pk]))


def test_the_student_reads_the_consent_text_and_gets_the_state(client, world, open_exam):
    client.force_login(world.student)
    response = _page(client, open_exam)
    assert response.status_code == 200
    html = response.content.decode()
    for paragraph in services.consent_paragraphs(open_exam, "en"):
        assert escape(paragraph) in html
    state = json.loads(re.search(r'id="proctoring-state">(.*?)</script>', html, re.S).group(1))
    assert state["may_start"] is False
    assert state["blocker"] == ERR_START_CONSENT
    assert f'value="{state["consent"]["version"]}"' in html
    # The island is a module under the page's nonce; its strings come with the page.
    nonce = re.search(r'src="/static/attempts/precheck.js" nonce="([^"]+)"', html)
    assert nonce and nonce.group(1) in response["Content-Security-Policy"]
    strings = json.loads(re.search(r'id="i18n">(.*?)</script>', html, re.S).group(1))
    assert strings["step_left"] == "Turn your head to the left"
    assert 'id="start" disabled' in html


def test_the_page_speaks_kazakh_and_russian(client, world, open_exam):
    client.force_login(world.student)
    for language, words in (("kk", "Басыңызды солға бұрыңыз"), ("ru", "Поверните голову влево")):
        client.post(reverse("set_language"), {"language": language, "next": "/"})
        html = _page(client, open_exam).content.decode()
        strings = json.loads(re.search(r'id="i18n">(.*?)</script>', html, re.S).group(1))
        assert strings["step_left"] == words
        assert all(value for value in strings.values())


def test_only_the_exams_students_open_it(client, world, open_exam, other_student, proctor):
    client.force_login(proctor)
    assert _page(client, open_exam).status_code == 403  # not a student
    client.force_login(world.teacher)
    assert _page(client, open_exam).status_code == 403
    client.force_login(other_student)  # a student of another group
    assert _page(client, open_exam).status_code == 404
    client.logout()
    assert _page(client, open_exam).status_code == 302  # to log in


def test_an_exam_without_the_camera_has_no_check(client, world):
    exam = make_exam(world, proctoring=ProctoringLevel.OFF)
    client.force_login(world.student)
    assert _page(client, exam).status_code == 404
    html = client.get(f"/sitting/exams/{exam.pk}/").content.decode()
    assert reverse("proctoring:precheck", args=[exam.pk]) not in html


def test_the_consent_form_records_the_text_read(client, world, open_exam):
    client.force_login(world.student)
    version = services.consent_version(services.consent_paragraphs(open_exam, "en"))
    url = reverse("proctoring:precheck_consent", args=[open_exam.pk])
    response = client.post(url, {"version": version, "language": "en"}, follow=True)
    assert response.redirect_chain[-1][0].endswith("/check/#device")
    assert "Your consent is recorded." in response.content.decode()
    session = ProctoringSession.objects.get(exam=open_exam)
    assert session.consent_version == version and session.consent_language == "en"
    assert 'id="consent-given"' in response.content.decode()


def test_a_consent_to_an_old_text_is_refused(client, world, open_exam):
    client.force_login(world.student)
    url = reverse("proctoring:precheck_consent", args=[open_exam.pk])
    response = client.post(url, {"version": "0" * 16, "language": "en"}, follow=True)
    assert "The text you agreed to has changed" in response.content.decode()
    assert not ProctoringSession.objects.filter(exam=open_exam, consent_at__isnull=False).exists()


def test_the_exam_page_says_what_is_missing_beside_start(client, world, open_exam, consented):
    client.force_login(world.student)
    exam_page = f"/sitting/exams/{open_exam.pk}/"
    check = reverse("proctoring:precheck", args=[open_exam.pk])

    def shown() -> str:
        html = client.get(exam_page).content.decode()
        assert check in html
        return html

    html = shown()
    assert escape(ERR_START_CONSENT) in html and '<form method="post">' not in html
    consented(open_exam)
    assert escape(ERR_START_DEVICE) in shown()
    ProctoringSession.objects.filter(exam=open_exam).update(device_ok=True)
    assert escape(ERR_START_IDENTITY) in shown()
    ProctoringSession.objects.filter(exam=open_exam).update(identity_status=IdentityStatus.APPROVED)
    html = shown()
    assert 'id="start-blocker"' not in html
    assert '<form method="post">' in html  # Start, as before


def test_an_exam_that_only_records_lets_the_student_start_from_the_page(client, world):
    exam = make_exam(
        world,
        proctoring=ProctoringLevel.RECORD,
        opens_at=timezone.now() - dt.timedelta(minutes=5),
    )
    client.force_login(world.student)
    html = _page(client, exam).content.decode()
    assert "nothing here keeps you from starting" in html
    assert 'id="start" disabled' not in html and 'id="start"' in html
    exam_page = client.get(f"/sitting/exams/{exam.pk}/").content.decode()
    assert reverse("proctoring:precheck", args=[exam.pk]) in exam_page
    assert 'id="start-blocker"' not in exam_page
    response = client.post(f"/sitting/exams/{exam.pk}/", {"rules_read": "on"})
    assert response.status_code == 302 and "/sitting/" in response["Location"]


def test_after_the_start_the_page_leads_back_to_the_exam(client, world):
    from emtihan.attempts import services as attempts

    exam = make_exam(
        world,
        proctoring=ProctoringLevel.RECORD,
        opens_at=timezone.now() - dt.timedelta(minutes=5),
    )
    attempts.attempt_start(student_user=world.student, exam_id=exam.pk)
    client.force_login(world.student)
    html = _page(client, exam).content.decode()
    assert 'id="start-form"' not in html
    assert f'href="/sitting/exams/{exam.pk}/"' in html and "Back to the exam" in html
