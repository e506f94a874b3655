"""The layouts a web process keeps for the steady draft save (services/answers.py): each
distinct question shape once, and nothing past QUESTIONS_KEPT questions."""

from __future__ import annotations

from emtihan.accounts.models import User
from emtihan.attempts.models import Attempt
from emtihan.attempts.services import answers

LAYOUT = [
    {"q": 11, "kind": "single", "options": ["b", "a", "c"]},
    {"q": 12, "kind": "written", "options": []},
]


def remember(attempt_id: int, user_id: int) -> None:
    answers._remember_layout(Attempt(pk=attempt_id, seed=7, layout=LAYOUT), User(pk=user_id))


def test_it_keeps_each_question_shape_once():
    remember(1, 101)
    remember(2, 102)
    first, second = answers._layouts[(1, 101)][1], answers._layouts[(2, 102)][1]
    assert first == {11: ("single", ("b", "a", "c")), 12: ("written", ())}
    assert first[11] is second[11]


def test_it_forgets_everything_past_its_bound(monkeypatch):
    monkeypatch.setattr(answers, "QUESTIONS_KEPT", 3)
    remember(1, 101)
    remember(2, 102)
    assert list(answers._layouts) == [(2, 102)]
