"""Telling the student: the final decision on their sitting, mailed by a background task
(django_tasks; `manage.py db_worker` runs it) in the student's language. The services
enqueue it in the decision's transaction; it imports no service (``tasks`` does)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from .models import FINAL_DECISIONS, Attempt


@task()
def decision_mail(attempt_id: int, decided_at: str) -> bool:
    """Mail the student the final decision on their sitting, with its reason and comment,
    in the student's language (their account's, else the site's default).

    ``decided_at`` names the decision the mail is about: a decision replaced before the
    worker ran is not mailed (the later one has its own task). Returns whether a mail
    went out."""
    attempt = Attempt.objects.select_related("exam", "student__user").filter(pk=attempt_id).first()
    if (
        attempt is None
        or attempt.decision not in FINAL_DECISIONS
        or attempt.decided_at is None
        or attempt.decided_at != dt.datetime.fromisoformat(decided_at)
    ):
        return False
    user = attempt.student.user
    if not user.email or not user.is_active:
        return False
    language = user.language if user.language in dict(settings.LANGUAGES) else None
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {
            "attempt": attempt,
            "name": user.get_full_name(),
            "exam": attempt.exam.title,
            "decision": attempt.get_decision_display(),
            "category": attempt.get_decision_category_display()
            if attempt.decision_category
            else "",
            "comment": attempt.decision_reason,
            "url": settings.SITE_URL.rstrip("/") + reverse("attempts:exams"),
        }
        subject = " ".join(render_to_string("attempts/decision_subject.txt", context).split())
        body = render_to_string("attempts/decision_email.txt", context)
    send_mail(subject, body, None, [user.email])
    return True
