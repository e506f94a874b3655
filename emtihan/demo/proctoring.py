"""The demo's proctored exam, lived through (``demo_seed``): students' photos on file, and
sittings of the open Linear Algebra exam (proctoring ``required``) for the proctor to look
at, every one made through the real services and analysed by the real tasks on frames
made from the photos (``camera``), so every flag, distance and identity result is one the
analysis found, not a row written here.

- live (in progress): student6 passed the identity check; during the sitting the camera
  saw them, then nobody for a minute, then a second person beside them; student7 passed
  too, and the browser reported a hidden tab, a paste from outside and another window;
- waiting for a proctor: student11's face did not match their photo on file in all three
  identity checks, so a proctor decides by hand;
- reviewed (ended): student12 left the camera for a minute, the proctor dismissed the flag
  (explained aloud) and accepted the work; student16 had someone beside them and pasted
  text from outside, the proctor upheld both flags and proposed to cancel, which the exam
  office (registrar@) confirmed as second reviewer; student17's camera stopped, the
  proctor upheld the flag and proposed to postpone, waiting for a second reviewer.

Students 1 and 2 are left untouched for a person to try the device and identity checks.
Running it again changes nothing: a student who has a proctoring session in the exam is
skipped. The sittings are live for the exam's duration after the first run (delete
``data/`` to start over).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.accounts.models import User
from emtihan.attempts import services as attempts
from emtihan.attempts.models import Attempt, Decision, DecisionCategory
from emtihan.exams.models import Exam
from emtihan.proctoring import services as proctoring
from emtihan.proctoring import tasks
from emtihan.proctoring.models import (
    BrowserEvent,
    Flag,
    FlagStatus,
    IdentityStatus,
    ProctoringSession,
)
from emtihan.university.models import Student
from emtihan.vision import BGRImage

from . import camera

# The photo on file of the students whose sittings are seeded, and of the others in turn.
# What their cameras see is said in ``seed``: obama_1 before a camera is the same man as
# obama_2 on file (another photo, years apart), as the identity check expects.
PHOTO_OF = {
    6: "obama_2",
    7: "astronaut",
    11: "biden_1",
    12: "obama_2",
    16: "astronaut",
    17: "obama_2",
}
PHOTO_CYCLE = ("obama_2", "biden_1", "astronaut")
SNAPSHOT_SECONDS = 20  # the exam's default interval
DEVICE_REPORT = {
    "camera": "ok",
    "microphone": "ok",
    "camera_label": "Integrated Camera",
    "width": 640,
    "height": 480,
    "microphone_level": 0.32,
}


def photos_on_file() -> int:
    """Give every demo student a photo on file, as the registry import would (the demo
    writes the university's rows directly); returns how many were added."""
    added = 0
    for student in Student.objects.filter(user__email__endswith="@demo.local").order_by("pk"):
        if student.photo:
            continue
        number = int(student.student_id) - 100000
        name = PHOTO_OF.get(number) or PHOTO_CYCLE[(number - 1) % len(PHOTO_CYCLE)]
        student.photo.save(f"{student.student_id}.jpg", ContentFile(camera.photo_bytes(name)))
        added += 1
    return added


@dataclass(frozen=True)
class Event:
    """A browser event ``at`` seconds into the sitting."""

    kind: str
    at: int
    seconds: int = 0
    detail: dict | None = None


def _jpeg(image: BGRImage, name: str = "frame.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, camera.jpeg(image), content_type="image/jpeg")


def _prepare(user: User, exam: Exam, at: dt.datetime) -> ProctoringSession:
    """Consent (in the group's language) and the device check, as the precheck page
    sends them."""
    language = "kk"
    paragraphs = proctoring.consent_paragraphs(exam, language)
    proctoring.consent_give(
        student_user=user,
        exam_id=exam.pk,
        version=proctoring.consent_version(paragraphs),
        language=language,
        now=at,
    )
    return proctoring.device_check_record(
        student_user=user, exam_id=exam.pk, report=DEVICE_REPORT, now=at + dt.timedelta(seconds=40)
    )


def _identity_check(user: User, exam: Exam, person: str, at: dt.datetime) -> str:
    """One identity check with ``person`` in front of the camera, decided by the task."""
    check = proctoring.identity_check_start(student_user=user, exam_id=exam.pk, now=at)
    frames = camera.identity_steps(person)
    for n, step in enumerate(check.steps):
        for image in frames[step]:
            proctoring.identity_frame_upload(
                student_user=user,
                check_id=check.pk,
                step=step,
                file=_jpeg(image),
                now=at + dt.timedelta(seconds=5 * (n + 1)),
            )
    proctoring.identity_check_submit(
        student_user=user, check_id=check.pk, now=at + dt.timedelta(seconds=30)
    )
    # The worker's job (``db_worker`` runs it in `make demo`; a no-op if it already ran).
    return tasks.analyse_identity_check.call(check.pk)


def _identified(user: User, exam: Exam, person: str, at: dt.datetime, proctor: User) -> None:
    """An identity check that the person in front of the camera passes. Should the
    analysis decide otherwise on some machine (the turns are a photo turned in
    perspective), the proctor approves by hand, as in real life, so that the demo
    still starts; the demo's tests require the check itself to pass."""
    if _identity_check(user, exam, person, at) != "passed":
        session = ProctoringSession.objects.get(exam=exam, student__user=user)
        if session.identity_status in (IdentityStatus.MANUAL, IdentityStatus.FAILED):
            proctoring.identity_decide(
                actor=proctor,
                session_id=session.pk,
                decision="approve",
                reason="Compared with the photo on file by hand.",
                now=at + dt.timedelta(minutes=1),
            )


def _sitting(
    user: User,
    exam: Exam,
    *,
    started: dt.datetime,
    scene: Sequence[BGRImage],
    events: Sequence[Event] = (),
) -> Attempt:
    """A sitting from ``started`` with one snapshot per ``scene`` frame every
    ``SNAPSHOT_SECONDS`` (the page alive all along) and the browser's ``events``; every
    upload analysed or turned into flags by its task."""
    attempt = attempts.attempt_start(student_user=user, exam_id=exam.pk, now=started)
    for n, image in enumerate(scene):
        taken = started + dt.timedelta(seconds=SNAPSHOT_SECONDS * n + 10)
        snapshot = proctoring.snapshot_upload(
            student_user=user,
            attempt_id=attempt.pk,
            file=_jpeg(image, "snapshot.jpg"),
            taken_at=taken,
            now=taken + dt.timedelta(seconds=1),
        )
        tasks.analyse_snapshot.call(snapshot.pk)
        attempts.heartbeat(
            attempt_id=attempt.pk, student_user=user, now=taken + dt.timedelta(seconds=2)
        )
    for event in events:
        at = started + dt.timedelta(seconds=event.at)
        proctoring.events_record(
            student_user=user,
            attempt_id=attempt.pk,
            events=[
                proctoring.EventIn(
                    kind=event.kind,
                    at=at,
                    duration_ms=event.seconds * 1000 if event.seconds else None,
                    detail=event.detail,
                )
            ],
            now=at + dt.timedelta(seconds=event.seconds + 1),
        )
    pending = BrowserEvent.objects.filter(attempt=attempt, processed=False)
    ids = list(pending.values_list("pk", flat=True))
    if ids:
        tasks.flag_events.call(ids)
    return attempt


def _seen(person: str, count: int) -> list[BGRImage]:
    """``count`` snapshots of the person at their desk (leaning a little in and out)."""
    widths = (150, 156, 160, 164, 158)
    return [camera.frame(person, widths[n % len(widths)]) for n in range(count)]


def _review(proctor: User, attempt: Attempt, notes: dict[str, tuple[str, str]]) -> None:
    """The proctor's review of each flag, by kind: (status, note)."""
    for flag in Flag.objects.filter(attempt=attempt, status=FlagStatus.OPEN).order_by("pk"):
        status, note = notes.get(flag.kind, (FlagStatus.UPHELD, "Seen on the snapshot."))
        proctoring.flag_review(actor=proctor, flag_id=flag.pk, status=status, note=note)


def seed(exam: Exam, proctor: User, office: User, now: dt.datetime) -> None:
    """The sittings of the module docstring, each once; ``office`` is the exam office's
    second reviewer."""
    photos_on_file()
    done = set(
        ProctoringSession.objects.filter(exam=exam).values_list("student__user__email", flat=True)
    )

    def student(n: int) -> User | None:
        email = f"student{n}@demo.local"
        if email in done:
            return None
        return User.objects.filter(email=email, student__group=exam.choice.group).first()

    # Live: student6 (obama_2 on file, obama_1 before the camera), 12 minutes in.
    if user := student(6):
        started = now - dt.timedelta(minutes=12)
        _prepare(user, exam, started - dt.timedelta(minutes=4))
        _identified(user, exam, "obama_1", started - dt.timedelta(minutes=3), proctor)
        person = _seen("obama_1", 34)
        for n in range(14, 18):  # away from the desk for a minute
            person[n] = camera.empty()
        for n in (24, 25):  # someone beside them
            person[n] = camera.two_people("obama_1", "biden_1")
        _sitting(user, exam, started=started, scene=person)

    # Live: student7 (astronaut), 8 minutes in; the browser reports what the camera cannot.
    if user := student(7):
        started = now - dt.timedelta(minutes=8)
        _prepare(user, exam, started - dt.timedelta(minutes=3))
        _identified(user, exam, "astronaut", started - dt.timedelta(minutes=2), proctor)
        _sitting(
            user,
            exam,
            started=started,
            scene=_seen("astronaut", 22),
            events=[
                Event("tab_hidden", 130, 14),
                Event("paste_outside", 200, detail={"length": 412}),
                Event("window_blur", 330, 9),
            ],
        )

    # Waiting before the start: student11 (biden_1 on file) three times with another
    # face in front of the camera; a proctor decides by hand.
    if user := student(11):
        at = now - dt.timedelta(minutes=9)
        _prepare(user, exam, at)
        for n in range(exam.identity_check_attempts):
            _identity_check(user, exam, "obama_1", at + dt.timedelta(minutes=1 + 2 * n))

    # Reviewed: student12 (obama_2 on file) sat 10 minutes an hour ago, away for a minute.
    if user := student(12):
        started = now - dt.timedelta(minutes=70)
        _prepare(user, exam, started - dt.timedelta(minutes=4))
        _identified(user, exam, "obama_1", started - dt.timedelta(minutes=3), proctor)
        person = _seen("obama_1", 30)
        for n in range(10, 14):
            person[n] = camera.empty()
        attempt = _sitting(user, exam, started=started, scene=person)
        attempts.attempt_finish(
            attempt_id=attempt.pk,
            student_user=user,
            key=f"demo-finish-{attempt.pk}",
            now=started + dt.timedelta(minutes=10, seconds=30),
        )
        _review(
            proctor,
            attempt,
            {
                "absent": (
                    FlagStatus.DISMISSED,
                    "The student said aloud that the doorbell rang and was back within a "
                    "minute (voice stated before leaving).",
                )
            },
        )
        attempts.attempt_decide(
            actor=proctor,
            attempt_id=attempt.pk,
            decision=Decision.CONTINUE,
            category=DecisionCategory.MINOR_EXPLAINED,
            comment="One minute away from the camera, announced aloud. The work counts.",
        )

    # Reviewed: student16 (astronaut) had someone beside them and pasted from outside.
    if user := student(16):
        started = now - dt.timedelta(minutes=55)
        _prepare(user, exam, started - dt.timedelta(minutes=4))
        _identified(user, exam, "astronaut", started - dt.timedelta(minutes=3), proctor)
        person = _seen("astronaut", 24)
        for n in range(8, 12):
            person[n] = camera.two_people("astronaut", "biden_1")
        attempt = _sitting(
            user,
            exam,
            started=started,
            scene=person,
            events=[Event("paste_outside", 250, detail={"length": 960})],
        )
        attempts.attempt_finish(
            attempt_id=attempt.pk,
            student_user=user,
            key=f"demo-finish-{attempt.pk}",
            now=started + dt.timedelta(minutes=8, seconds=30),
        )
        _review(
            proctor,
            attempt,
            {
                "multiple_faces": (
                    FlagStatus.UPHELD,
                    "A second person sits beside the student for over a minute and points "
                    "at the screen.",
                ),
                "paste_outside": (
                    FlagStatus.UPHELD,
                    "960 characters pasted into question 1 right after the second person appeared.",
                ),
            },
        )
        # A cancel takes a second reviewer: the exam office confirms the proctor's proposal.
        proposed = attempts.attempt_decide(
            actor=proctor,
            attempt_id=attempt.pk,
            decision=Decision.CANCEL,
            category=DecisionCategory.ANOTHER_PERSON,
            comment="Help from another person during the exam (two upheld flags).",
        )
        if proposed.proposal is not None:
            attempts.attempt_proposal_review(
                actor=office, proposal_id=proposed.proposal.pk, action="confirm"
            )

    # Waiting for a second reviewer: student17's camera stopped for four minutes; the
    # proctor proposes to postpone (the exam office confirms or rejects it in the demo).
    if user := student(17):
        started = now - dt.timedelta(minutes=40)
        _prepare(user, exam, started - dt.timedelta(minutes=4))
        _identified(user, exam, "obama_1", started - dt.timedelta(minutes=3), proctor)
        attempt = _sitting(
            user,
            exam,
            started=started,
            scene=_seen("obama_1", 12),
            events=[Event("camera_lost", 250)],
        )
        attempts.attempt_finish(
            attempt_id=attempt.pk,
            student_user=user,
            key=f"demo-finish-{attempt.pk}",
            now=started + dt.timedelta(minutes=9),
        )
        _review(
            proctor,
            attempt,
            {
                "camera_lost": (
                    FlagStatus.UPHELD,
                    "The camera stopped after four minutes and did not come back; the "
                    "student wrote that the laptop's camera driver crashed.",
                )
            },
        )
        attempts.attempt_decide(
            actor=proctor,
            attempt_id=attempt.pk,
            decision=Decision.POSTPONE,
            category=DecisionCategory.TECHNICAL_FAILURE,
            comment="No camera for most of the sitting: to be sat again on another day.",
        )
