"""The messages of the grading services (marked for translation, translated when raised)."""

from django.utils.translation import gettext_noop

ERR_NOT_GRADER = gettext_noop("You do not mark this exam.")
ERR_NOT_RELEASER = gettext_noop("Only the exam's teachers and the exam office release its results.")
ERR_WORK_NOT_FOUND = gettext_noop("There is no work with this code in this exam.")
ERR_RELEASED = gettext_noop(
    "The results of this work are released; its marks can no longer change."
)
ERR_STALE = gettext_noop(
    "Someone else saved marks for this work after you opened it. Your marks were not saved: "
    "the page now shows theirs; enter yours again if they should change."
)
ERR_NOT_A_NUMBER = gettext_noop("Enter a number, such as 3 or 2.5.")
ERR_OUT_OF_RANGE = gettext_noop("A mark is from 0 to the question's points (%(points)s).")
ERR_TOO_PRECISE = gettext_noop("At most two decimal places.")
ERR_REASON_REQUIRED = gettext_noop(
    "Say why you change the automatic mark (%(auto)s): the reason is kept with the mark."
)
ERR_COMMENT_TOO_LONG = gettext_noop("At most 2000 characters.")
ERR_NOTHING_TO_RELEASE = gettext_noop(
    "No marked work is waiting for release: mark the works first."
)
ERR_QUESTION_NOT_FOUND = gettext_noop("There is no such question.")
ERR_NOT_RUBRIC_SETTER = gettext_noop("Only the exam's teachers and the exam office set rubrics.")
ERR_NOT_WRITTEN = gettext_noop(
    "Only written questions have rubrics: closed ones are marked automatically."
)
ERR_CRITERION_TEXT = gettext_noop("Describe the criterion (at most 500 characters).")
ERR_CRITERION_POINTS = gettext_noop("A criterion is worth more than 0 points.")
ERR_RUBRIC_TOO_MANY = gettext_noop("At most %(n)s criteria.")
ERR_RUBRIC_TOO_MUCH = gettext_noop(
    "The criteria add up to %(sum)s points, more than the question's %(points)s."
)
ERR_CRITERIA_DISAGREE = gettext_noop(
    "The criteria's points add up to %(sum)s, but the mark is %(mark)s: clear the mark "
    "(the criteria decide it) or make them agree."
)
ERR_CRITERION_RANGE = gettext_noop("From 0 to the criterion's points (%(points)s).")
ERR_NOT_CONFIGURER = gettext_noop(
    "Only the exam's teachers and the exam office change its marking settings."
)
ERR_SETTINGS_LOCKED = gettext_noop(
    "Marking of this exam has started: second marking can no longer be turned on or off, "
    "nor its threshold changed."
)
ERR_THRESHOLD = gettext_noop("A difference from 0 (points or per cent; at most 100 per cent).")
ERR_NOT_SECOND = gettext_noop("This exam is marked once: second marking is off.")
ERR_SECOND_ON = gettext_noop("This exam is marked twice: each grader marks on their own.")
ERR_TWO_MARKERS = gettext_noop(
    "Two graders already mark this work. If their marks differ too much, it comes back to settle."
)
ERR_BOTH_IN = gettext_noop(
    "Both graders' marks of this work are in; they can no longer change here."
)
ERR_NOT_TO_SETTLE = gettext_noop("This work has nothing to settle.")
ERR_NOT_SETTLER = gettext_noop(
    "A difference is settled by the exam's teachers, the exam office or a third grader."
)
ERR_SETTLE_REASON = gettext_noop("Say why these marks: the reason is kept with the settlement.")
ERR_SETTLE_ALL = gettext_noop("Give every question a mark to settle the work.")
ERR_NOT_YOUR_RESULT = gettext_noop("This is not your result.")
ERR_NOT_RELEASED_YET = gettext_noop(
    "The result is not released yet: an appeal can be filed once it is released."
)
ERR_APPEAL_EXISTS = gettext_noop(
    "You have already appealed this result; only one appeal per result is possible."
)
ERR_APPEAL_CLOSED = gettext_noop(
    "The appeal period ended on %(deadline)s; an appeal is no longer possible."
)
ERR_APPEAL_REASON = gettext_noop(
    "Write the reason for your appeal: what should be re-checked, and why."
)
ERR_APPEAL_TOO_LONG = gettext_noop("At most 2000 characters.")
ERR_NOT_REVIEWER = gettext_noop("Only the exam's teachers and the exam office review its appeals.")
ERR_APPEAL_NOT_FOUND = gettext_noop("There is no such appeal.")
ERR_APPEAL_DECIDED = gettext_noop("This appeal has already been decided.")
ERR_NO_CHANGE = gettext_noop(
    "No mark was changed: change at least one mark, or reject the appeal with a reason."
)
ERR_REJECT_REASON = gettext_noop("Say why the appeal is rejected: the student reads it.")
ERR_MARK_REQUIRED = gettext_noop("Give a mark (0 to %(points)s).")
ERR_NOT_EXAM_OFFICE = gettext_noop("Only the exam office decides on identifying marks.")
ERR_FLAG_ACTION = gettext_noop("Choose: dismiss the marks or send the sitting to a decision.")
