"""Each student's questions and option orders, fixed once from a seed.

``layout_for(exam, seed=...)`` returns ``[{"q": id, "kind": kind, "options": [ids]}]``:

1. The exam's items in order: every fixed question (``pool`` empty) by its ``order``, and
   every pool as one block placed by the pool's ``order`` among them (a tie puts the
   fixed question first).
2. A pool block becomes ``pick`` of its questions, chosen at random; they keep their
   order unless the questions are shuffled.
3. With ``shuffle_questions`` the whole list is shuffled; with ``shuffle_options`` the
   options of single and multiple choice questions are shuffled. True/false options are
   always ``["true", "false"]``; written, short and numeric have none.

Deterministic: the same exam content and seed give the same layout (one
``random.Random(seed)`` drives every choice, in a fixed order of operations). One query.
"""

from __future__ import annotations

import random
from typing import Any

from .models import Exam, Question, QuestionKind

TRUE_FALSE_OPTIONS = ["true", "false"]


def layout_for(exam: Exam, *, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)  # noqa: S311 (an exam layout, not a secret)
    questions = list(
        Question.objects.filter(exam=exam)
        .select_related("pool")
        .only("pk", "kind", "spec", "order", "pool__id", "pool__pick", "pool__order")
        .order_by("order", "pk")
    )
    fixed: list[tuple[tuple[int, int, int], list[Question]]] = []
    pools: dict[int, list[Question]] = {}
    pool_keys: dict[int, tuple[int, int, int]] = {}
    for question in questions:
        pool = question.pool
        if pool is None:
            fixed.append(((question.order, 0, question.pk), [question]))
        else:
            pools.setdefault(pool.pk, []).append(question)
            pool_keys[pool.pk] = (pool.order, 1, pool.pk)

    blocks = list(fixed)
    for pool_id, members in sorted(pools.items()):
        pick = min(members[0].pool.pick if members[0].pool else 0, len(members))
        chosen = rng.sample(range(len(members)), pick)
        blocks.append((pool_keys[pool_id], [members[i] for i in sorted(chosen)]))
    blocks.sort(key=lambda block: block[0])
    selected = [question for _key, block in blocks for question in block]

    if exam.shuffle_questions:
        rng.shuffle(selected)
    return [_entry(question, rng, shuffle=exam.shuffle_options) for question in selected]


def _entry(question: Question, rng: random.Random, *, shuffle: bool) -> dict[str, Any]:
    if question.kind == QuestionKind.TRUE_FALSE:
        options = list(TRUE_FALSE_OPTIONS)
    elif question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        spec = question.spec if isinstance(question.spec, dict) else {}
        options = [str(o.get("id")) for o in spec.get("options") or [] if isinstance(o, dict)]
        if shuffle:
            rng.shuffle(options)
    else:
        options = []
    return {"q": question.pk, "kind": question.kind, "options": options}
