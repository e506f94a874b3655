"""The load benchmark's setup (bench/sitting_setup.py) builds its exam through the same
services as the demo: the rows it leaves are the rows a teacher and a head would have made,
audit entries included, and the students can sit the exam at once."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from emtihan.attempts import services as attempts
from emtihan.audit.models import AuditEntry
from emtihan.examforms.models import ChoiceStatus
from emtihan.exams.models import Exam, ExamStatus
from emtihan.umkd.models import Material

BENCH = Path(__file__).resolve().parents[3] / "bench" / "sitting_setup.py"


@pytest.fixture
def sitting_setup(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("sitting_setup", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "SESSIONS_FILE", tmp_path / "sessions.json")
    return module


@pytest.mark.django_db
def test_setup_builds_an_open_exam_through_the_services(sitting_setup, capsys):
    sitting_setup.setup(3)

    exam = Exam.objects.get(title=sitting_setup.EXAM_TITLE)
    assert exam.status == ExamStatus.PUBLISHED
    assert exam.choice.status == ChoiceStatus.APPROVED
    assert exam.choice.programme.material == Material.objects.get(discipline=exam.choice.discipline)
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"exams.create", "exams.publish"} <= actions
    assert any(a.startswith("examforms.") for a in actions)  # sent and approved
    assert f"exam {exam.pk} open until" in capsys.readouterr().out

    sessions = json.loads(sitting_setup.SESSIONS_FILE.read_text())
    assert sorted(sessions) == [sitting_setup.EMAIL.format(n) for n in (1, 2, 3)]
    student = exam.choice.group.students.get(user__email=sitting_setup.EMAIL.format(1)).user
    attempt = attempts.attempt_start(student_user=student, exam_id=exam.pk)
    assert len(attempt.layout) == len(sitting_setup.QUESTIONS)


@pytest.mark.django_db
def test_setup_again_keeps_the_exam(sitting_setup):
    sitting_setup.setup(2)
    sitting_setup.setup(3)

    assert Exam.objects.filter(title=sitting_setup.EXAM_TITLE).count() == 1
