"""Writes of the exams app: exams, questions, pools, accommodations, imports, publishing.

Every function is called by both the teacher's pages and the JSON API, so the rules and
permissions are the same whichever door a request comes through. Each write runs in one
transaction that locks the exam row and records an audit entry.

The exam row lock serialises the writes to one exam: without it, "publish" (which checks
that every pool has enough questions) could interleave with a question deletion and
publish an exam a student could not be given.

``layout_for`` (each student's questions, called by ``attempts`` at start) and
``grade_closed`` (automatic grading) live in their own modules (``exams.layout``, ``exams.grading``) and are
re-exported here.

Modules: ``rules`` (limits, messages, who manages an exam, whether it can still be edited
or published), ``exam``, ``question``, ``pool``, ``accommodation`` and
``questions_import``. Callers import from ``emtihan.exams.services``, which re-exports
every public name.
"""

from ..grading import grade_closed
from ..layout import layout_for
from .accommodation import accommodation_delete, accommodation_set
from .exam import (
    EXAM_FIELDS,
    exam_create,
    exam_delete,
    exam_publish,
    exam_settings,
    exam_unpublish,
    exam_update,
)
from .pool import pool_create, pool_delete, pool_update
from .question import DATA_PICTURE_SRC, question_create, question_delete, question_update
from .questions_import import detect_format, questions_import
from .rules import (
    ERR_ABSENCE_CAP,
    ERR_ALREADY_PUBLISHED,
    ERR_BODY_PICTURE,
    ERR_BODY_PICTURE_TOO_BIG,
    ERR_BODY_REQUIRED,
    ERR_BODY_TOO_BIG,
    ERR_CHOICE_NOT_APPROVED,
    ERR_CHOICE_NOT_HOSTED,
    ERR_CLOSES_REQUIRED,
    ERR_DELETE_PUBLISHED,
    ERR_DURATION,
    ERR_EXAM_EXISTS,
    ERR_EXTRA_MINUTES,
    ERR_IMPORT_EMPTY,
    ERR_IMPORT_FORMAT,
    ERR_IMPORT_TOO_BIG,
    ERR_KIND,
    ERR_LOCKED,
    ERR_NAME_TOO_LONG,
    ERR_NO_QUESTIONS,
    ERR_NOT_PUBLISHED,
    ERR_NOT_YOUR_EXAM,
    ERR_OPENS_REQUIRED,
    ERR_ORDER,
    ERR_POINTS,
    ERR_POOL_NAME,
    ERR_POOL_NOT_EMPTY,
    ERR_POOL_OTHER_EXAM,
    ERR_POOL_PICK,
    ERR_POOL_TOO_SMALL,
    ERR_QUESTION_OTHER_EXAM,
    ERR_REASON_TOO_LONG,
    ERR_STUDENT_NOT_IN_GROUP,
    ERR_TIMEOUT_POLICY,
    ERR_TITLE_REQUIRED,
    ERR_WINDOW_ORDER,
    ERR_WINDOW_PASSED,
    HOSTED_FORMS,
    IMPORT_FORMATS,
    MAX_ABSENCE_CAP_MINUTES,
    MAX_BODY_BYTES,
    MAX_BODY_PICTURE_BYTES,
    MAX_DURATION_MINUTES,
    MAX_EXTRA_MINUTES,
    MAX_IMPORT_BYTES,
    MAX_POINTS,
    WARN_DURATION_LONGER,
    can_manage,
    exam_warnings,
    has_opened,
    is_hosted,
    publish_problems,
)

__all__ = [
    "DATA_PICTURE_SRC",
    "ERR_ABSENCE_CAP",
    "ERR_ALREADY_PUBLISHED",
    "ERR_BODY_PICTURE",
    "ERR_BODY_PICTURE_TOO_BIG",
    "ERR_BODY_REQUIRED",
    "ERR_BODY_TOO_BIG",
    "ERR_CHOICE_NOT_APPROVED",
    "ERR_CHOICE_NOT_HOSTED",
    "ERR_CLOSES_REQUIRED",
    "ERR_DELETE_PUBLISHED",
    "ERR_DURATION",
    "ERR_EXAM_EXISTS",
    "ERR_EXTRA_MINUTES",
    "ERR_IMPORT_EMPTY",
    "ERR_IMPORT_FORMAT",
    "ERR_IMPORT_TOO_BIG",
    "ERR_KIND",
    "ERR_LOCKED",
    "ERR_NAME_TOO_LONG",
    "ERR_NOT_PUBLISHED",
    "ERR_NOT_YOUR_EXAM",
    "ERR_NO_QUESTIONS",
    "ERR_OPENS_REQUIRED",
    "ERR_ORDER",
    "ERR_POINTS",
    "ERR_POOL_NAME",
    "ERR_POOL_NOT_EMPTY",
    "ERR_POOL_OTHER_EXAM",
    "ERR_POOL_PICK",
    "ERR_POOL_TOO_SMALL",
    "ERR_QUESTION_OTHER_EXAM",
    "ERR_REASON_TOO_LONG",
    "ERR_STUDENT_NOT_IN_GROUP",
    "ERR_TIMEOUT_POLICY",
    "ERR_TITLE_REQUIRED",
    "ERR_WINDOW_ORDER",
    "ERR_WINDOW_PASSED",
    "EXAM_FIELDS",
    "HOSTED_FORMS",
    "IMPORT_FORMATS",
    "MAX_ABSENCE_CAP_MINUTES",
    "MAX_BODY_BYTES",
    "MAX_BODY_PICTURE_BYTES",
    "MAX_DURATION_MINUTES",
    "MAX_EXTRA_MINUTES",
    "MAX_IMPORT_BYTES",
    "MAX_POINTS",
    "WARN_DURATION_LONGER",
    "accommodation_delete",
    "accommodation_set",
    "can_manage",
    "detect_format",
    "exam_create",
    "exam_delete",
    "exam_publish",
    "exam_settings",
    "exam_unpublish",
    "exam_update",
    "exam_warnings",
    "grade_closed",
    "has_opened",
    "is_hosted",
    "layout_for",
    "pool_create",
    "pool_delete",
    "pool_update",
    "publish_problems",
    "question_create",
    "question_delete",
    "question_update",
    "questions_import",
]
