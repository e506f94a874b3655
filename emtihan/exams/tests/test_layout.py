"""layout_for: each student's questions and option orders, fixed from a seed."""

from __future__ import annotations

from collections import Counter

import pytest

from emtihan.exams import services
from emtihan.exams.models import QuestionKind

from .conftest import add_question

SIX = [{"id": c, "html": c.upper(), "fraction": 1.0 if c == "a" else 0.0} for c in "abcdef"]


@pytest.fixture
def big_exam(world, exam):
    """Four fixed questions (one of each closed-with-options kind), then a pool of five
    picking two, then another fixed question."""
    add_question(world, exam, kind=QuestionKind.SINGLE, spec={"options": SIX})
    add_question(world, exam, kind=QuestionKind.MULTIPLE)
    add_question(world, exam, kind=QuestionKind.TRUE_FALSE)
    add_question(world, exam, kind=QuestionKind.WRITTEN)
    pool = services.pool_create(actor=world.teacher, exam=exam, name="Pool", pick=2)
    for _n in range(5):
        add_question(world, exam, kind=QuestionKind.SHORT, pool=pool)
    add_question(world, exam, kind=QuestionKind.NUMERIC)
    return exam


def ids(layout):
    return [entry["q"] for entry in layout]


def test_the_same_seed_gives_the_same_layout(big_exam):
    assert services.layout_for(big_exam, seed=42) == services.layout_for(big_exam, seed=42)


def test_different_seeds_give_different_layouts(big_exam):
    layouts = {repr(services.layout_for(big_exam, seed=seed)) for seed in range(20)}
    assert len(layouts) > 15


def test_every_fixed_question_and_pick_of_each_pool(big_exam):
    pool = big_exam.pools.get()
    pooled = set(pool.questions.values_list("pk", flat=True))
    fixed = set(big_exam.questions.filter(pool=None).values_list("pk", flat=True))
    seen = Counter()
    for seed in range(40):
        layout = ids(services.layout_for(big_exam, seed=seed))
        assert len(layout) == len(set(layout)) == 7
        assert fixed <= set(layout)
        chosen = set(layout) & pooled
        assert len(chosen) == 2
        seen.update(chosen)
    assert set(seen) == pooled  # every pooled question gets drawn for someone


def test_entries_carry_kind_and_options(big_exam):
    layout = services.layout_for(big_exam, seed=1)
    kinds = {entry["kind"] for entry in layout}
    assert kinds == {"single", "multiple", "true_false", "written", "short", "numeric"}
    for entry in layout:
        if entry["kind"] == "single":
            assert sorted(entry["options"]) == list("abcdef")
        elif entry["kind"] == "multiple":
            assert sorted(entry["options"]) == list("abc")
        elif entry["kind"] == "true_false":
            assert entry["options"] == ["true", "false"]
        else:
            assert entry["options"] == []


def test_options_are_shuffled_but_true_false_never(big_exam):
    orders = set()
    for seed in range(20):
        for entry in services.layout_for(big_exam, seed=seed):
            if entry["kind"] == "single":
                orders.add(tuple(entry["options"]))
            if entry["kind"] == "true_false":
                assert entry["options"] == ["true", "false"]
    assert len(orders) > 10


def test_without_shuffling_the_teachers_order_is_kept(world, big_exam):
    services.exam_update(
        actor=world.teacher, exam=big_exam, shuffle_questions=False, shuffle_options=False
    )
    big_exam.refresh_from_db()
    questions = list(big_exam.questions.order_by("order", "pk"))
    for seed in (1, 2, 3):
        layout = services.layout_for(big_exam, seed=seed)
        kinds = [entry["kind"] for entry in layout]
        # The pool (position 5) sits between the fixed questions 1-4 and 10.
        assert kinds == ["single", "multiple", "true_false", "written", "short", "short", "numeric"]
        assert ids(layout)[:4] == [q.pk for q in questions[:4]]
        assert ids(layout)[-1] == questions[-1].pk
        pooled = ids(layout)[4:6]
        assert pooled == sorted(pooled)  # drawn questions keep their order
        assert layout[0]["options"] == list("abcdef")


def test_a_pool_placed_first_comes_first(world, exam):
    fixed = add_question(world, exam, kind=QuestionKind.WRITTEN)
    pool = services.pool_create(actor=world.teacher, exam=exam, name="Warm-up", pick=1, order=0)
    pooled = add_question(world, exam, kind=QuestionKind.TRUE_FALSE, pool=pool)
    services.exam_update(actor=world.teacher, exam=exam, shuffle_questions=False)
    exam.refresh_from_db()
    assert ids(services.layout_for(exam, seed=5)) == [pooled.pk, fixed.pk]


def test_it_reads_the_exam_in_one_query(big_exam, django_assert_num_queries):
    with django_assert_num_queries(1):
        services.layout_for(big_exam, seed=7)
