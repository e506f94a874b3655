"""Telling the student their result is out: a mail by a background task (django_tasks;
``manage.py db_worker`` runs it) in the student's language, as ``attempts.notifications``
does for decisions. The release enqueues it in its transaction; it imports no service."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import Appeal, Work


def _mail_student(work: Work, template: str, **extra: object) -> bool:
    """Mail the student of ``work`` ``grading/<template>_subject.txt`` and
    ``_email.txt`` in their account's language (else the site's), with a link to their
    result. Returns whether a mail went out (none to an inactive account or no address)."""
    user = work.attempt.student.user
    if not user.email or not user.is_active:
        return False
    language = user.language if user.language in dict(settings.LANGUAGES) else None
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "name": user.get_full_name(),
            "exam": work.exam.title,
            "work": work,
            "traditional": work.get_result_traditional_display(),
            "url": settings.SITE_URL.rstrip("/")
            + reverse("grading:result", args=[work.attempt_id]),
            **extra,
        }
        subject = " ".join(render_to_string(f"grading/{template}_subject.txt", context).split())
        body = render_to_string(f"grading/{template}_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True


@task()
def result_mail(work_id: int) -> bool:
    """Mail the student that the result of their exam is released, with the grade, in
    their account's language (else the site's). Returns whether a mail went out."""
    work = (
        Work.objects.select_related("exam", "attempt__student__user")
        .filter(pk=work_id, released_at__isnull=False)
        .first()
    )
    if work is None:
        return False
    return _mail_student(work, "result")


@task()
def appeal_mail(appeal_id: int) -> bool:
    """Mail the student the outcome of their appeal (marks changed, with the new grade, or
    rejected, with the reason), in their language. Returns whether a mail went out."""
    appeal = (
        Appeal.objects.select_related("work__exam", "work__attempt__student__user")
        .filter(pk=appeal_id, decided_at__isnull=False)
        .first()
    )
    if appeal is None:
        return False
    return _mail_student(appeal.work, "appeal", appeal=appeal)
