"""The Moodle XML importer on Moodle's own fixtures and ours, and questions_import."""

from __future__ import annotations

import base64
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.exams import services
from emtihan.exams.importers import moodle_xml
from emtihan.exams.importers.base import decode
from emtihan.exams.models import Question, QuestionKind

from .conftest import FIXTURES, add_question, opened, png_bytes

MOODLE = FIXTURES / "moodle"
OWN = FIXTURES / "own"


def parse(path):
    return moodle_xml.parse(path.read_bytes())


def upload(path, name=None):
    return SimpleUploadedFile(name or path.name, path.read_bytes())


def test_every_moodle_xml_fixture_is_read_without_crashing():
    for path in sorted(MOODLE.glob("*.xml")):
        result = parse(path)
        assert result.encoding == "utf-8"
        assert result.questions or result.errors or result.skipped, path.name


def test_multichoice_with_embedded_files():
    result = parse(MOODLE / "multichoice.xml")
    assert result.ok and not result.skipped
    [question] = result.questions
    assert (question.index, question.name, question.kind) == (1, "Greeting", QuestionKind.SINGLE)
    assert question.category == "Default for testhead/Multichoice"
    assert question.points == 1
    options = question.spec["options"]
    assert [o["id"] for o in options] == ["a", "b", "c", "d"]
    assert [o["fraction"] for o in options] == [0.0, 1.0, 0.0, 0.0]
    # Each flag picture is inlined as a JPEG data URL (sanitised: no width/height).
    for option, label in zip(options, ["English", "French", "German", "Danish"], strict=True):
        assert re.fullmatch(
            r'<p><img src="data:image/jpeg;base64,/9j/[A-Za-z0-9+/=]+" alt="[^"]+"> '
            + label
            + "</p>",
            option["html"],
        ), option["html"][:80]
    # The sound file is dropped with a note; its link loses its target.
    assert "bonjour.mp3" not in question.body
    assert "@@PLUGINFILE@@" not in question.body
    assert question.body.endswith("<br><br>What language is being spoken?</p>")
    assert question.notes == [
        "The file “bonjour.mp3” was left out: only pictures (PNG, JPEG, GIF, WebP) are kept."
    ]


def test_truefalse_with_embedded_pictures_and_feedback():
    result = parse(MOODLE / "truefalse.xml")
    assert result.ok
    assert [(q.name, q.kind, q.spec) for q in result.questions] == [
        ("Moodle acronym (False)", QuestionKind.TRUE_FALSE, {"correct": False}),
        ("Moodle acronym (True)", QuestionKind.TRUE_FALSE, {"correct": True}),
    ]
    body = result.questions[0].body
    assert body.startswith('<p>Moodle&nbsp;<img src="data:image/jpeg;base64,/9j/')
    assert 'alt="Moodle logo"' in body
    # style="font-style: italic" is gone, the words stay.
    assert "<span>Modular Object-Oriented Dynamic Learning Education</span>" in body
    assert "style" not in body
    # Feedback (with its own pictures) is not imported.
    assert "Informations" not in body
    picture = re.search(r"base64,([A-Za-z0-9+/=]+)", body)
    assert picture and base64.b64decode(picture.group(1)).startswith(b"\xff\xd8\xff")


def test_nested_categories_are_kept_as_paths():
    result = parse(MOODLE / "nested_categories_with_questions.xml")
    assert result.ok and not result.skipped
    assert [(q.name, q.kind, q.category) for q in result.questions] == [
        ("Iota Question", QuestionKind.TRUE_FALSE, "Iota"),
        ("Kappa Essay Question", QuestionKind.WRITTEN, "Iota/Kappa"),
        ("Kappa Question", QuestionKind.TRUE_FALSE, "Iota/Kappa"),
        ("Lambda Question", QuestionKind.TRUE_FALSE, "Iota/Kappa/Lambda"),
        ("Mu Question", QuestionKind.TRUE_FALSE, "Iota/Mu"),
    ]
    essay = result.questions[1]
    assert essay.body == "<p>Testing Kappa Essay Question</p>"
    assert essay.spec == {}


def test_html_characters_in_id_numbers():
    result = parse(MOODLE / "html_chars_in_idnumbers.xml")
    assert result.ok
    [question] = result.questions
    assert (question.name, question.category, question.spec) == (
        "Alpha Question",
        "Alpha",
        {"correct": True},
    )
    assert question.body == "<p>Testing Alpha Question</p>"


def test_broken_cloze_questions_are_reported_one_by_one():
    result = parse(MOODLE / "broken_cloze_questions.xml")
    assert result.ok and not result.questions
    assert [(s.index, s.kind) for s in result.skipped] == [(n, "cloze") for n in range(1, 6)]
    reasons = [s.reason for s in result.skipped]
    assert all(
        r.startswith("Cloze (embedded answers) questions are not supported") for r in reasons
    )
    assert reasons[0].endswith("it has no embedded answers.")
    assert reasons[2].endswith("embedded answer 1 has fewer than two choices.")
    assert reasons[3].endswith("embedded answer 1 has no fully correct answer.")
    assert reasons[4].endswith("embedded answer 1: “zero” is not a number.")
    assert result.skipped[0].name == "Multianswer question without subquestions"


def test_invalid_grades_are_a_clear_error():
    result = parse(MOODLE / "error_invalid_grades.xml")
    assert not result.ok and not result.questions
    [error] = result.errors
    assert error.index == 1
    assert error.name == "Question with invalid grades : x > 1 & x < 2"
    assert error.message.startswith("Answer 2: 33% is not one of Moodle's grades")


# --- our own fixtures ------------------------------------------------------------------------


def test_every_supported_kind_and_every_skipped_one():
    result = parse(OWN / "kinds.xml")
    assert result.ok
    primes, poet, pi, proof = result.questions
    assert (primes.kind, primes.points, primes.category) == (
        QuestionKind.MULTIPLE,
        2.5,
        "Algebra/Groups",
    )
    assert primes.body == "<p>Which are <b>prime</b>?</p>"  # no onclick, no script
    assert [o["fraction"] for o in primes.spec["options"]] == [0.5, 0.5, -1.0]
    assert poet.spec == {
        "answers": [{"text": "*Abai*", "fraction": 1.0}, {"text": "Kunanbaiuly", "fraction": 0.5}],
        "case_sensitive": True,
    }
    assert poet.body == '<p>Who wrote "Words of Edification"?<br>Give the surname.</p>'
    assert pi.spec == {
        "answers": [
            {"value": 3.14, "tolerance": 0.005, "fraction": 1.0},
            {"value": 3.0, "tolerance": 0.2, "fraction": 0.5},
        ]
    }
    assert pi.body == "<p>Give <strong>pi</strong> to two decimals.</p>"
    assert len(pi.notes) == 2
    assert (proof.kind, proof.points, proof.category) == (QuestionKind.WRITTEN, 10, "Algebra/Rings")
    assert [(s.index, s.kind) for s in result.skipped] == [
        (5, "description"),
        (6, "matching"),
        (7, "ddwtos"),
        (8, "cloze"),
    ]
    assert result.skipped[1].reason == "Questions of the type “matching” are not supported."
    assert result.skipped[3].reason == "Cloze (embedded answers) questions are not supported."


def test_invalid_questions_are_errors_each_with_its_reason():
    result = parse(OWN / "invalid_questions.xml")
    assert [(e.index, e.name) for e in result.errors] == [
        (2, "No right answer"),
        (3, "Not a number"),
        (4, "No text"),
    ]
    assert result.errors[0].message == (
        "A single-choice question needs exactly one option worth 100% (it has 0)."
    )
    assert result.errors[1].message == "Answer 1: “seven” is not a number."


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"", "The file is not valid XML"),
        (b"not xml at all", "The file is not valid XML"),
        (b"<?xml version='1.0'?><html></html>", "The file is not a Moodle XML export"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]><quiz>&a;</quiz>',
            "The file declares a document type",
        ),
        (b"<quiz></quiz>", "The file holds no questions."),
        (b"\x81\x8d\x8f\x90\x98", "The file is neither UTF-8"),
    ],
)
def test_files_that_are_not_moodle_xml_are_refused(data, start):
    result = moodle_xml.parse(data)
    assert not result.ok
    assert result.errors[0].index == 0
    assert result.errors[0].message.startswith(start)


def test_a_question_without_type_is_an_error():
    result = moodle_xml.parse(b"<quiz><question><name><text>X</text></name></question></quiz>")
    assert [(e.index, e.name, e.message) for e in result.errors] == [
        (1, "X", "The question has no type.")
    ]


def test_non_picture_files_posing_as_pictures_are_dropped():
    fake = base64.b64encode(b"<svg onload=alert(1)>").decode()
    xml = f"""<quiz><question type="essay"><name><text>E</text></name>
      <questiontext format="html"><text><![CDATA[<p>See <img src="@@PLUGINFILE@@/a%20b.png"></p>]]></text>
      <file name="a b.png" path="/" encoding="base64">{fake}</file></questiontext></question></quiz>"""
    [question] = moodle_xml.parse(xml.encode()).questions
    assert question.body == "<p>See <img></p>"
    assert question.notes == [
        "The file “a b.png” was left out: only pictures (PNG, JPEG, GIF, WebP) are kept."
    ]


def test_a_png_in_a_subfolder_is_inlined():
    png = base64.b64encode(png_bytes()).decode()
    xml = f"""<quiz><question type="essay"><name><text>E</text></name>
      <questiontext format="html"><text><![CDATA[<img src="@@PLUGINFILE@@/pics/x.png">]]></text>
      <file name="x.png" path="/pics/" encoding="base64">{png}</file></questiontext></question></quiz>"""
    [question] = moodle_xml.parse(xml.encode()).questions
    assert question.body == f'<img src="data:image/png;base64,{png}">'


def test_decoding_prefers_utf8_then_guesses_western_or_cyrillic():
    assert decode("Қазақстан".encode()) == ("Қазақстан", "utf-8")
    assert decode("\ufeffabc".encode()) == ("abc", "utf-8")
    assert decode("Столица Казахстана".encode("cp1251")) == ("Столица Казахстана", "cp1251")
    assert decode("Café crème".encode("windows-1252")) == ("Café crème", "windows-1252")
    assert decode("Привет".encode("cp1251"), "windows-1252")[1] == "windows-1252"
    assert decode(b"\xff", "utf-8") is None


# --- questions_import: all or nothing ----------------------------------------------------------


def test_import_writes_every_question_in_file_order(world, exam):
    add_question(world, exam)
    result = services.questions_import(
        actor=world.teacher, exam=exam, file=upload(OWN / "kinds.xml"), fmt="auto"
    )
    assert result.ok and result.imported == 4
    imported = list(exam.questions.exclude(source="").order_by("order"))
    assert [q.name for q in imported] == ["Primes", "Poet", "Pi", "Proof"]
    assert [q.order for q in imported] == [2, 3, 4, 5]
    assert imported[0].source == "kinds.xml #1"
    assert imported[3].points == 10
    assert all(q.pool is None for q in imported)
    entry = AuditEntry.objects.get(action="exams.questions_import", object_id=str(exam.pk))
    assert entry.data["imported"] == 4 and entry.data["skipped"] == 4
    assert entry.data["format"] == "moodle_xml"


def test_categories_can_become_pools(world, exam):
    result = services.questions_import(
        actor=world.teacher,
        exam=exam,
        file=upload(MOODLE / "nested_categories_with_questions.xml"),
        pools_from_categories=True,
    )
    assert result.imported == 5
    pools = {p.name: p for p in exam.pools.all()}
    assert set(pools) == {"Iota", "Iota/Kappa", "Iota/Kappa/Lambda", "Iota/Mu"}
    assert pools["Iota/Kappa"].pick == 2
    assert pools["Iota/Kappa"].questions.count() == 2
    assert services.publish_problems(exam) == []


@pytest.mark.parametrize(
    "path",
    [MOODLE / "error_invalid_grades.xml", OWN / "invalid_questions.xml"],
    ids=lambda p: p.name,
)
def test_an_error_anywhere_imports_nothing(world, exam, path):
    result = services.questions_import(actor=world.teacher, exam=exam, file=upload(path))
    assert not result.ok
    assert result.imported == 0
    assert not Question.objects.exists()
    assert not AuditEntry.objects.filter(action="exams.questions_import").exists()


def test_a_file_of_unsupported_questions_imports_nothing_and_says_why(world, exam):
    result = services.questions_import(
        actor=world.teacher, exam=exam, file=upload(MOODLE / "broken_cloze_questions.xml")
    )
    assert result.ok and result.imported == 0 and len(result.skipped) == 5
    assert not Question.objects.exists()


def test_import_checks_permission_state_and_input(world, exam):
    with pytest.raises(PermissionDeniedError):
        services.questions_import(
            actor=world.other_teacher, exam=exam, file=upload(OWN / "kinds.xml")
        )
    with pytest.raises(ValidationFailed) as exc:
        services.questions_import(
            actor=world.teacher, exam=exam, file=upload(OWN / "kinds.xml"), fmt="docx"
        )
    assert exc.value.errors["fmt"] == [services.ERR_IMPORT_FORMAT]
    with pytest.raises(ValidationFailed) as exc:
        services.questions_import(
            actor=world.teacher, exam=exam, file=SimpleUploadedFile("x.xml", b"")
        )
    assert exc.value.errors["file"] == [services.ERR_IMPORT_EMPTY]
    add_question(world, exam)
    services.exam_publish(actor=world.teacher, exam=exam)
    with pytest.raises(DomainError) as exc:
        services.questions_import(
            actor=world.teacher, exam=exam, file=upload(OWN / "kinds.xml"), now=opened(exam)
        )
    assert exc.value.message == services.ERR_LOCKED


def test_a_true_false_without_a_right_answer_is_an_error():
    xml = b"""<quiz><question type="truefalse"><name><text>TF</text></name>
      <questiontext format="html"><text>Sky?</text></questiontext>
      <answer fraction="0"><text>true</text></answer>
      <answer fraction="0"><text>false</text></answer></question></quiz>"""
    result = moodle_xml.parse(xml)
    assert [e.message for e in result.errors] == [
        "A true/false question needs the answer “true” or “false” to give full marks."
    ]
