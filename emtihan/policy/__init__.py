"""The permission policy: the one place that answers "may this person do this to that
object?" and "which objects may this person see in a list?".

Services ask it before they write, selectors take their list querysets from it, and
views and API handlers only call it to decide what to show (a button, a menu entry);
none of them writes a rule of its own. The rules in words, for the university's IT
team, are in docs/PERMISSIONS.md; the design is in docs/ARCHITECTURE.md ("Permission
policy").

One submodule per layer of the apps, each importing only its layer and the ones below
(the import-linter contracts in pyproject.toml say so), so that a service low in the
stack never drags in the apps above it:

==========================  ===========================================================
``policy.accounts``         who a person is: roles, the staff/superuser override, the menu
``policy.university``       teaching assignments ("teaches"), headship, the registrar,
                            faculty proctors
``policy.umkd``             a discipline's materials
``policy.examforms``        exam-form choices: editing, review, reading, export
``policy.exams``            managing exams; exams in a proctor's or a grader's scope; a
                            student's exams; proctor and grader assignments
``policy.attempts``         sittings: the student's own, decisions, pictures
``policy.proctoring``       proctoring sessions: the student's own, recordings, identity
                            decisions by hand
``policy.grading``          marking piles by code (graders), releasing results (the exam's
                            teachers, the exam office)
==========================  ===========================================================

This module itself imports no model (and no submodule), so ``import emtihan.policy``
costs nothing and crosses no layer.
"""
