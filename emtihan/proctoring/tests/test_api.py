"""Every endpoint of /api/v1/proctoring/ with the personas: the student, another
student, a proctor of the exam and one of another exam, a teacher, a grader, anonymous."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from emtihan.exams.models import ExamProctor, ProctoringLevel
from emtihan.proctoring import rules
from emtihan.proctoring.models import IdentityStatus, ProctoringSession

from .conftest import make_exam
from .media import frame, identity_frames, upload, wav

API = "/api/v1/proctoring"


@pytest.fixture
def exam(world):
    """A required-proctoring exam open on the real clock."""
    return make_exam(
        world,
        proctoring=ProctoringLevel.REQUIRED,
        opens_at=timezone.now() - dt.timedelta(minutes=30),
    )


@pytest.fixture
def as_user(client):
    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


def post(client, path, data=None):
    return client.post(API + path, data or {}, content_type="application/json")


def agree(client, exam_id):
    state = client.get(f"{API}/exams/{exam_id}").json()
    version, language = state["consent"]["version"], state["consent"]["language"]
    return post(client, f"/exams/{exam_id}/consent", {"version": version, "language": language})


def test_the_paths_are_in_the_openapi_schema(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/exams/{exam_id}",
        "/exams/{exam_id}/consent",
        "/exams/{exam_id}/device-check",
        "/exams/{exam_id}/identity-checks",
        "/identity-checks/{check_id}/frames",
        "/identity-checks/{check_id}/submit",
        "/identity-checks/{check_id}",
        "/exams/{exam_id}/log",
        "/attempts/{attempt_id}/snapshots",
        "/attempts/{attempt_id}/events",
        "/attempts/{attempt_id}/detections",
        "/attempts/{attempt_id}/clips",
        "/sessions/{session_id}/identity-decision",
    ):
        assert API + path in paths


def test_the_whole_way_from_consent_to_the_log(as_user, world, exam, photo_on_file):
    photo_on_file("obama_2")
    client = as_user(world.student)
    state = client.get(f"{API}/exams/{exam.pk}").json()
    assert state["level"] == "required" and state["may_start"] is False
    assert state["blocker"] == rules.ERR_START_CONSENT
    assert state["identity"]["photo_on_file"] is True
    assert len(state["consent"]["paragraphs"]) == 6
    # Nothing before consent; a stale text is refused.
    assert post(client, f"/exams/{exam.pk}/identity-checks").status_code == 409
    response = post(client, f"/exams/{exam.pk}/consent", {"version": "0" * 16, "language": "en"})
    assert response.status_code == 409
    assert response.json()["detail"] == rules.ERR_CONSENT_CHANGED
    response = agree(client, exam.pk)
    assert response.status_code == 200
    assert response.json()["blocker"] == rules.ERR_START_DEVICE
    response = post(
        client,
        f"/exams/{exam.pk}/device-check",
        {"camera": "ok", "microphone": "ok", "camera_label": "Integrated", "width": 640},
    )
    assert response.json()["device"]["ok"] is True
    assert response.json()["blocker"] == rules.ERR_START_IDENTITY
    # The start is refused until the identity check passes.
    response = client.post(
        "/api/v1/attempts/start", {"exam_id": exam.pk}, content_type="application/json"
    )
    assert response.status_code == 409
    check = post(client, f"/exams/{exam.pk}/identity-checks")
    assert check.status_code == 201
    check = check.json()
    frames = identity_frames("obama_1")
    for step in check["steps"]:
        for image in frames[step]:
            response = client.post(
                f"{API}/identity-checks/{check['id']}/frames", {"step": step, "file": upload(image)}
            )
            assert response.status_code == 201, response.content
    assert response.json()["frames_in_step"] == 2
    response = post(client, f"/identity-checks/{check['id']}/submit")
    assert response.status_code == 202
    result = client.get(f"{API}/identity-checks/{check['id']}").json()
    assert result["status"] == "passed", result
    assert result["message"] == rules.IDENTITY_MESSAGES["passed"]
    state = client.get(f"{API}/exams/{exam.pk}").json()
    assert state["may_start"] is True and state["identity"]["status"] == "passed"
    # Now the sitting starts, and records.
    response = client.post(
        "/api/v1/attempts/start", {"exam_id": exam.pk}, content_type="application/json"
    )
    assert response.status_code == 200
    attempt_id = response.json()["id"]
    now = timezone.now().isoformat()
    response = client.post(
        f"{API}/attempts/{attempt_id}/snapshots",
        {"taken_at": now, "file": upload(frame("obama_1"))},
    )
    assert response.status_code == 202, response.content
    assert response.json()["number"] == 1 and response.json()["next_in_seconds"] == 20
    # The first upload's analysis ran inline (the test's task backend) and can take longer
    # than the minimum gap on a loaded machine: pin "the last snapshot came just now".
    ProctoringSession.objects.filter(attempt_id=attempt_id).update(last_snapshot_at=timezone.now())
    response = client.post(
        f"{API}/attempts/{attempt_id}/snapshots",
        {"taken_at": now, "file": upload(frame("obama_1"))},
    )
    assert response.status_code == 429
    assert response.json()["retry_after_seconds"] >= 1
    response = post(
        client,
        f"/attempts/{attempt_id}/events",
        {"events": [{"kind": "tab_hidden", "at": now, "duration_ms": 9000}]},
    )
    assert response.status_code == 202 and response.json() == {"accepted": 1}
    response = client.post(
        f"{API}/attempts/{attempt_id}/detections",
        {"kind": "phone", "at": now, "detail": '{"score": 0.8}', "file": upload(frame("obama_1"))},
    )
    assert response.status_code == 202
    response = client.post(
        f"{API}/attempts/{attempt_id}/clips",
        {"started_at": now, "file": SimpleUploadedFile("c.wav", wav())},
    )
    assert response.status_code == 202
    log = client.get(f"{API}/exams/{exam.pk}/log").json()
    assert log["consent"]["language"] == "en"
    assert log["identity"]["status"] == "passed" and len(log["identity"]["frames"]) == 8
    assert len(log["snapshots"]) == 1 and log["snapshots"][0]["faces"] == 1
    assert {e["kind"] for e in log["events"]} == {"tab_hidden", "phone"}
    assert log["clips"][0]["speech_seconds"] > 1
    assert {f["kind"] for f in log["flags"]} == {"tab_hidden", "phone", "speech"}
    assert log["deletion_due"] is None  # the sitting is still going
    # The student opens their own recordings.
    assert client.get(log["snapshots"][0]["url"]).status_code == 200
    assert client.get(log["clips"][0]["url"])["Content-Type"] == "audio/wav"


def test_other_people_get_nothing(as_user, world, exam, other_student, proctor, grader):
    client = as_user(world.student)
    agree(client, exam.pk)
    check = post(client, f"/exams/{exam.pk}/identity-checks").json()
    session = ProctoringSession.objects.get(exam=exam)
    paths = [
        ("get", f"/exams/{exam.pk}"),
        ("get", f"/exams/{exam.pk}/log"),
        ("get", f"/identity-checks/{check['id']}"),
        ("post", f"/identity-checks/{check['id']}/submit"),
    ]
    # Another student: the exam is not theirs (404, never telling whether it exists).
    client = as_user(other_student)
    for method, path in paths:
        assert getattr(client, method)(API + path).status_code == 404, path
    response = client.post(
        f"{API}/identity-checks/{check['id']}/frames",
        {"step": check["steps"][0], "file": upload(frame("obama_1"))},
    )
    assert response.status_code == 404
    # Staff, proctors, teachers, graders have no proctoring record of their own.
    for person in (proctor, grader, world.teacher, world.registrar):
        client = as_user(person)
        response = client.get(f"{API}/exams/{exam.pk}")
        assert response.status_code == 403
        assert response.json()["detail"] == rules.ERR_NOT_STUDENT
    client = as_user(None)
    assert client.get(f"{API}/exams/{exam.pk}").status_code == 401
    assert post(client, f"/sessions/{session.pk}/identity-decision").status_code == 401


def test_a_sitting_is_the_students_own(as_user, world, other_student):
    exam = make_exam(
        world, proctoring=ProctoringLevel.RECORD, opens_at=timezone.now() - dt.timedelta(minutes=5)
    )
    client = as_user(world.student)
    agree(client, exam.pk)
    attempt_id = client.post(
        "/api/v1/attempts/start", {"exam_id": exam.pk}, content_type="application/json"
    ).json()["id"]
    now = timezone.now().isoformat()
    client = as_user(other_student)
    for path, data in (
        (f"/attempts/{attempt_id}/snapshots", {"taken_at": now, "file": upload(frame("obama_1"))}),
        (
            f"/attempts/{attempt_id}/clips",
            {"started_at": now, "file": SimpleUploadedFile("c.wav", wav())},
        ),
        (
            f"/attempts/{attempt_id}/detections",
            {"kind": "phone", "at": now, "file": upload(frame("obama_1"))},
        ),
    ):
        assert client.post(API + path, data).status_code == 404, path
    response = post(
        client, f"/attempts/{attempt_id}/events", {"events": [{"kind": "offline", "at": now}]}
    )
    assert response.status_code == 404


def test_bad_input_is_refused_with_its_status(as_user, world, exam):
    client = as_user(world.student)
    agree(client, exam.pk)
    response = post(
        client, f"/exams/{exam.pk}/device-check", {"camera": "broken", "microphone": "ok"}
    )
    assert response.status_code == 422
    response = post(client, f"/exams/{exam.pk}/consent", {"version": "x", "language": "de"})
    assert response.status_code == 422
    check = post(client, f"/exams/{exam.pk}/identity-checks").json()
    response = client.post(
        f"{API}/identity-checks/{check['id']}/frames",
        {"step": "up", "file": upload(frame("obama_1"))},
    )
    assert response.status_code == 422
    response = client.post(f"{API}/identity-checks/{check['id']}/frames", {"step": "left"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": [rules.ERR_FILE_REQUIRED]}
    response = post(client, f"/identity-checks/{check['id']}/submit")
    assert response.status_code == 400
    assert client.get(f"{API}/exams/9223372036854775808").status_code == 422


def test_an_exam_without_the_camera_answers_409(as_user, world):
    exam = make_exam(world, opens_at=timezone.now() - dt.timedelta(minutes=5))
    client = as_user(world.student)
    response = client.get(f"{API}/exams/{exam.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == rules.ERR_PROCTORING_OFF


def test_the_identity_decision_is_the_exams_proctors(as_user, world, exam, proctor):
    client = as_user(world.student)
    agree(client, exam.pk)
    session = ProctoringSession.objects.get(exam=exam)
    ProctoringSession.objects.filter(pk=session.pk).update(identity_status=IdentityStatus.MANUAL)
    body = {"decision": "approve", "reason": "Student card shown to the camera"}
    for person in (world.student, proctor, world.teacher):
        response = post(as_user(person), f"/sessions/{session.pk}/identity-decision", body)
        assert response.status_code == 403
        assert response.json()["detail"] == rules.ERR_NOT_PROCTOR
    other_exam = make_exam(world, group=world.g2, title="Other")
    ExamProctor.objects.create(exam=other_exam, user=proctor)
    response = post(as_user(proctor), f"/sessions/{session.pk}/identity-decision", body)
    assert response.status_code == 403
    ExamProctor.objects.create(exam=exam, user=proctor)
    response = post(as_user(proctor), f"/sessions/{session.pk}/identity-decision", body)
    assert response.status_code == 200
    assert response.json() == {"identity_status": "approved"}
    response = post(as_user(proctor), f"/sessions/{session.pk}/identity-decision", body)
    assert response.status_code == 409
