"""The GIFT importer on Moodle's own fixtures and ours, and questions_import with GIFT."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.exams import services
from emtihan.exams.importers import gift
from emtihan.exams.models import Question, QuestionKind

from .conftest import FIXTURES

MOODLE = FIXTURES / "moodle"
OWN = FIXTURES / "own"


def parse(path):
    return gift.parse(path.read_bytes())


def one(text: str):
    result = gift.parse(text.encode())
    assert result.ok, result.errors
    [question] = result.questions
    return question


def test_moodles_gift_examples():
    result = parse(MOODLE / "questions.gift.txt")
    assert result.ok and result.encoding == "utf-8"
    assert [(q.index, q.name, q.kind) for q in result.questions] == [
        (1, "Q8", QuestionKind.WRITTEN),
        (3, "Q2", QuestionKind.SINGLE),
        (4, "colours", QuestionKind.MULTIPLE),
        (5, "Q5", QuestionKind.NUMERIC),
        (6, "Shortanswer", QuestionKind.SHORT),
        (7, "Q1", QuestionKind.TRUE_FALSE),
        (8, "2-08 TSL", QuestionKind.TRUE_FALSE),
        (9, "2-08 TSL", QuestionKind.TRUE_FALSE),
    ]
    assert [(s.index, s.name, s.kind) for s in result.skipped] == [
        (2, "Moodle activities", "matching")
    ]
    assert result.skipped[0].reason == "Matching questions are not supported."
    by_name = {q.name: q for q in result.questions}
    assert by_name["Q8"].body == "<p>How are you?</p>"
    # Feedback after "#" is dropped.
    assert by_name["Q2"].spec == {
        "options": [
            {"id": "a", "html": "yellow", "fraction": 1.0},
            {"id": "b", "html": "red", "fraction": 0.0},
            {"id": "c", "html": "blue", "fraction": 0.0},
        ]
    }
    assert [o["fraction"] for o in by_name["colours"].spec["options"]] == [0.5, -1.0, 0.5, -1.0]
    assert [o["html"] for o in by_name["colours"].spec["options"]] == [
        "yellow",
        "red",
        "off-beige",
        "blue",
    ]
    # {#3:2}: 3 ± 2, i.e. 1 to 5; the "~#Completely wrong" feedback is ignored.
    assert by_name["Q5"].spec == {"answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]}
    # Text after the closing brace: a missing-word question, as in Moodle.
    assert by_name["Q5"].body == '<p>What is a number from 1 to 5? _____";</p>'
    assert by_name["Shortanswer"].spec == {
        "answers": [
            {"text": "Frog", "fraction": 1.0},
            {"text": "Cat", "fraction": 0.5},
            {"text": "*", "fraction": 0.0},
        ],
        "case_sensitive": False,
    }
    assert by_name["Q1"].spec == {"correct": False}
    assert result.questions[-1].spec == {"correct": True}
    assert result.questions[-1].notes == ["Another question in this file has the same name."]


def test_categories_in_gift():
    result = parse(MOODLE / "questions_in_category.gift.txt")
    assert result.ok
    assert [(q.name, q.kind, q.category) for q in result.questions] == [
        ("Greeting", QuestionKind.SINGLE, "Default for New Features"),
        ("Moodle user", QuestionKind.SHORT, "Default for New Features"),
        ("Moodle acronym", QuestionKind.TRUE_FALSE, "Default for New Features"),
    ]
    assert [s.kind for s in result.skipped] == ["matching"]
    greeting = result.questions[0]
    # Escaped "\=" and "\:" inside the HTML are restored; the link is made safe.
    assert greeting.body == (
        '<a href="http://demo.moodle.net/file.php/5/media/bonjour.mp3" target="_blank" '
        'rel="noopener noreferrer">Listen to this greeting:</a><br><br>What language is being spoken?'
    )
    assert [o["html"] for o in greeting.spec["options"]] == [
        "English",
        "French",
        "German",
        "Spanish",
    ]
    assert [o["fraction"] for o in greeting.spec["options"]] == [0.0, 1.0, 0.0, 0.0]
    assert result.questions[1].spec["answers"] == [{"text": "Moodler", "fraction": 1.0}]
    assert result.questions[2].body == (
        "Moodle is an acronym for <span>Modular Object-Oriented Dynamic Learning Environment</span>."
    )


def test_a_windows_1252_file_is_read_and_the_encoding_reported():
    result = parse(MOODLE / "questions_encoding_windows-1252.gift.txt")
    assert result.ok and result.encoding == "windows-1252"
    assert [(q.name, q.kind, q.category) for q in result.questions] == [
        ("asdf", QuestionKind.WRITTEN, "Default for LTTEST"),
        ("test daniel", QuestionKind.WRITTEN, "Default for LTTEST"),
    ]
    assert result.questions[0].body == "<p>asdf<br></p>"
    assert [(s.index, s.kind) for s in result.skipped] == [(3, "matching")]


def test_a_cyrillic_windows_1251_file():
    result = parse(OWN / "cyrillic-cp1251.gift.txt")
    assert result.encoding == "cp1251"
    [question] = result.questions
    assert question.name == "Вопрос"
    assert question.body == "<p>Столица Казахстана?</p>"
    assert [o["html"] for o in question.spec["options"]] == ["Астана", "Алматы"]


def test_our_gift_features():
    result = parse(OWN / "features.gift.txt")
    assert result.ok
    q = {question.name: question for question in result.questions}
    assert {question.category for question in result.questions} == {"Physics"}
    assert q["Escapes"].body == "<p>Is 2 = 2 {really} ~ true: yes # no?</p>"
    assert q["Escapes"].spec["options"][0] == {
        "id": "a",
        "html": "Yes, of course = sure",
        "fraction": 1.0,
    }
    assert q["Range"].body == "<p>Give a number from <strong>1</strong> to <em>5</em>.</p>"
    assert q["Range"].spec == {"answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]}
    assert q["Margin"].spec == {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}
    assert q["Weighted numeric"].spec == {
        "answers": [
            {"value": 300000.0, "tolerance": 1000.0, "fraction": 1.0},
            {"value": 300000.0, "tolerance": 20000.0, "fraction": 0.5},
        ]
    }
    assert q["Short"].body == "<p>The capital of Kazakhstan is _____ today.</p>"
    assert q["Short"].spec["answers"] == [
        {"text": "Astana", "fraction": 1.0},
        {"text": "Nur-Sultan", "fraction": 0.5},
    ]
    assert q["HTML"].body == (
        '<p>Water is <span class="chem" data-latex="\\ce{H2O}">H<sub>2</sub>O</span><img></p>'
    )
    assert q["HTML"].spec == {"correct": True}
    assert q["False"].body == "<p>Ice is &lt;hot&gt;.</p>"  # [plain] is escaped
    assert q["False"].spec == {"correct": False}
    assert q["Essay with a blank line"].kind == QuestionKind.WRITTEN
    assert q["Multiple"].kind == QuestionKind.MULTIPLE  # a blank line inside braces
    assert [o["html"] for o in q["Multiple"].spec["options"]] == ["2", "4", "5"]
    assert [(s.kind, s.name) for s in result.skipped] == [
        ("description", "No braces here: a description.")
    ]


def test_errors_are_reported_per_question():
    result = parse(OWN / "bad_numeric.gift.txt")
    assert [q.name for q in result.questions] == ["Good"]
    assert [(e.index, e.name) for e in result.errors] == [
        (2, "Bad"),
        (3, "Bad grade"),
        (3, "Bad grade"),
        (4, "Unclosed"),
    ]
    assert result.errors[0].message == (
        "Answer 1: “eight” is not a number, a number:margin or a min..max range."
    )
    assert result.errors[1].message.startswith("Answer 1: 33% is not one of Moodle's grades")
    assert result.errors[3].message == "The answers' braces { } do not match."


@pytest.mark.parametrize(
    ("text", "kind", "spec"),
    [
        ("Q{T}", QuestionKind.TRUE_FALSE, {"correct": True}),
        ("Q{F}", QuestionKind.TRUE_FALSE, {"correct": False}),
        ("Q{TRUE}", QuestionKind.TRUE_FALSE, {"correct": True}),
        ("Q{FALSE#no#yes}", QuestionKind.TRUE_FALSE, {"correct": False}),
        ("Q{}", QuestionKind.WRITTEN, {}),
        ("Q{=a =b}", QuestionKind.SHORT, {"answers": [{"text": "a", "fraction": 1.0}, {"text": "b", "fraction": 1.0}], "case_sensitive": False}),
        ("Q{#1..5}", QuestionKind.NUMERIC, {"answers": [{"value": 3.0, "tolerance": 2.0, "fraction": 1.0}]}),
        ("Q{#-5..-1}", QuestionKind.NUMERIC, {"answers": [{"value": -3.0, "tolerance": 2.0, "fraction": 1.0}]}),
        ("Q{#3.14:0.01}", QuestionKind.NUMERIC, {"answers": [{"value": 3.14, "tolerance": 0.01, "fraction": 1.0}]}),
        ("Q{#42}", QuestionKind.NUMERIC, {"answers": [{"value": 42.0, "tolerance": 0.0, "fraction": 1.0}]}),
        ("Q{~%50%a ~%50%b ~c}", QuestionKind.MULTIPLE, {"options": [
            {"id": "a", "html": "a", "fraction": 0.5},
            {"id": "b", "html": "b", "fraction": 0.5},
            {"id": "c", "html": "c", "fraction": 0.0},
        ]}),
        ("Q{=a ~b ~c}", QuestionKind.SINGLE, {"options": [
            {"id": "a", "html": "a", "fraction": 1.0},
            {"id": "b", "html": "b", "fraction": 0.0},
            {"id": "c", "html": "c", "fraction": 0.0},
        ]}),
        ("Q{=\\{x\\} ~\\~y}", QuestionKind.SINGLE, {"options": [
            {"id": "a", "html": "{x}", "fraction": 1.0},
            {"id": "b", "html": "~y", "fraction": 0.0},
        ]}),
    ],
)  # fmt: skip
def test_each_gift_answer_form(text, kind, spec):
    question = one(text)
    assert (question.kind, question.spec) == (kind, spec)
    assert question.name == "Q"  # an untitled question is named by its text


def test_matching_is_skipped_and_text_formats_are_honoured():
    result = gift.parse(b"::M::Match{=a -> b =c -> d}")
    assert [(s.name, s.kind) for s in result.skipped] == [("M", "matching")]
    assert one("[markdown]*Why*?{}").body == "<p><em>Why</em>?</p>"
    assert one("[html]<p>x<script>y</script></p>{}").body == "<p>x</p>"
    assert one("[plain]<b>x</b>{}").body == "<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert one("[moodle]<b>x</b>\\nline{}").body == "<p><b>x</b><br>line</p>"


def test_import_with_gift_all_or_nothing(world, exam):
    bad = SimpleUploadedFile("bad.txt", (OWN / "bad_numeric.gift.txt").read_bytes())
    result = services.questions_import(actor=world.teacher, exam=exam, file=bad, fmt="gift")
    assert not result.ok and result.imported == 0
    assert not Question.objects.exists()
    good = SimpleUploadedFile("q.gift", (MOODLE / "questions.gift.txt").read_bytes())
    result = services.questions_import(actor=world.teacher, exam=exam, file=good)
    assert result.ok and result.fmt == "gift" and result.imported == 8
    assert exam.questions.count() == 8
    assert services.publish_problems(exam) == []


def test_an_explicit_encoding_wins(world, exam):
    data = "::Q::Сұрақ?{}".encode("cp1251", errors="replace")
    result = services.questions_import(
        actor=world.teacher,
        exam=exam,
        file=SimpleUploadedFile("q.txt", data),
        fmt="gift",
        encoding="cp1251",
    )
    assert result.encoding == "cp1251" and result.imported == 1


def test_the_report_lists_the_file_in_order_one_row_per_question():
    rows = parse(OWN / "bad_numeric.gift.txt").report()
    assert [(r.index, r.name, r.outcome) for r in rows] == [
        (1, "Good", "valid"),
        (2, "Bad", "error"),
        (3, "Bad grade", "error"),
        (4, "Unclosed", "error"),
    ]
    assert len(rows[2].messages) == 2
    assert rows[0].kind == "Numeric"
    skipped = parse(MOODLE / "questions.gift.txt").report()[1]
    assert (skipped.index, skipped.outcome, skipped.kind) == (2, "skipped", "matching")


def test_a_category_line_right_above_a_question():
    result = gift.parse(b"$CATEGORY: $course$/top/Optics\n::L::Light is a wave.{T}\n\n::M::Next{F}")
    assert [(q.index, q.name, q.category) for q in result.questions] == [
        (1, "L", "Optics"),
        (2, "M", "Optics"),
    ]
