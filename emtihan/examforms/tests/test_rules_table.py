"""Table 1 is loaded by the migration exactly as the guide has it."""

from django.conf import settings

from emtihan.examforms.models import ExamRule
from emtihan.examforms.rules import RuleBook

YEAR = settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR

EXPECTED = [
    (1, "OQYLYQ", "WRITTEN", "TRADITIONAL", "none", False),
    (2, "UNIVER", "WRITTEN", "TRADITIONAL", "none", False),
    (3, "UNIVER", "TESTING", "", "none", False),
    (4, "UNIVER", "ORAL", "", "video_conference", False),
    (5, "MOODLE", "WRITTEN", "PROJECT", "none", False),
    (6, "MOODLE", "WRITTEN", "CASE", "none", False),
    (7, "MOODLE", "WRITTEN", "ESSAY", "none", False),
    (8, "MOODLE", "WRITTEN", "CREATIVE", "none", False),
    (9, "MOODLE", "TESTING", "", "none", False),
    (10, "MOODLE", "MIXED", "MIXED_1", "none", False),
    (11, "MOODLE", "MIXED", "MIXED_2", "none", False),
    (12, "MOODLE", "MIXED", "MIXED_3", "none", False),
    (13, "ALTERNATIVE", "CERTIFICATE", "", "course_platforms", False),
    (14, "STARTEXAM", "TESTING", "", "none", True),
]


def test_the_migration_loads_the_14_rows_of_table_1(db):
    rows = list(
        ExamRule.objects.filter(academic_year=YEAR).values_list(
            "number", "platform", "form", "exam_type", "additional_info", "medical_only"
        )
    )
    assert rows == EXPECTED


def test_every_rule_has_labels_in_three_languages(db):
    for rule in ExamRule.objects.filter(academic_year=YEAR):
        assert rule.label_kk and rule.label_ru and rule.label_en, rule.number


def test_the_rulebook_offers_dependent_options(db):
    book = RuleBook.load(academic_year=YEAR, medical=False)
    assert book.platforms() == ["OQYLYQ", "UNIVER", "MOODLE", "ALTERNATIVE"]
    assert book.forms("UNIVER") == ["WRITTEN", "TESTING", "ORAL"]
    assert book.forms("MOODLE") == ["WRITTEN", "TESTING", "MIXED"]
    assert book.types("MOODLE", "WRITTEN") == ["PROJECT", "CASE", "ESSAY", "CREATIVE"]
    assert book.types("UNIVER", "ORAL") == []
    assert book.additional_info("UNIVER", "ORAL") == "video_conference"
    assert book.additional_info("ALTERNATIVE", "CERTIFICATE") == "course_platforms"
    assert book.forms("STARTEXAM") == []


def test_startexam_is_offered_only_to_medicine(db):
    book = RuleBook.load(academic_year=YEAR, medical=True)
    assert "STARTEXAM" in book.platforms()
    assert book.forms("STARTEXAM") == ["TESTING"]


def test_a_deactivated_rule_is_no_longer_offered(db):
    ExamRule.objects.filter(academic_year=YEAR, number=7).update(is_active=False)
    book = RuleBook.load(academic_year=YEAR, medical=False)
    assert "ESSAY" not in book.types("MOODLE", "WRITTEN")
