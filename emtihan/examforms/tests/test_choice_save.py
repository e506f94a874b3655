"""choice_save: every valid combination of Table 1 and every way to break a rule."""

from __future__ import annotations

import pytest

from emtihan.audit.models import AuditEntry
from emtihan.core.errors import DomainError, PermissionDeniedError, ValidationFailed
from emtihan.examforms import services
from emtihan.examforms.models import ChoiceStatus, ExamFormChoice
from emtihan.examforms.services import ChoiceInput, choice_save
from emtihan.umkd.models import Section

from .conftest import add_programme, add_version
from .test_rules_table import EXPECTED

INFO = {"none": "", "video_conference": "Zoom", "course_platforms": "Coursera, Stepik"}


def _input(platform, form, exam_type="", info="", programme=None):
    return ChoiceInput(
        platform=platform, form=form, exam_type=exam_type, additional_info=info,
        programme_id=programme.pk if programme else None,
    )  # fmt: skip


@pytest.mark.parametrize("row", EXPECTED, ids=[f"row{r[0]}" for r in EXPECTED])
def test_each_of_the_14_combinations_is_accepted(world, programmes, row):
    number, platform, form, exam_type, info_kind, medical = row
    if medical:
        teacher, discipline, group, programme = (
            world.other_teacher,
            world.anatomy,
            world.med_group,
            programmes["anatomy"],
        )
    else:
        teacher, discipline, group, programme = (
            world.teacher,
            world.algebra,
            world.g1,
            programmes["algebra"],
        )
    choice = choice_save(
        actor=teacher, discipline=discipline, group=group,
        data=_input(platform, form, exam_type, INFO[info_kind], programme),
    )  # fmt: skip
    assert choice.status == ChoiceStatus.SUBMITTED
    assert (choice.platform, choice.form, choice.exam_type) == (platform, form, exam_type)
    assert choice.transitions.get().to_status == ChoiceStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="examforms.submit", object_id=str(choice.pk)).exists()


def _refused(world, programmes, data, *, field, message, discipline=None, group=None, teacher=None):
    with pytest.raises(ValidationFailed) as exc:
        choice_save(
            actor=teacher or world.teacher,
            discipline=discipline or world.algebra,
            group=group or world.g1,
            data=data,
        )
    assert message in exc.value.errors[field]
    assert not ExamFormChoice.objects.exists(), "a refused save must write nothing"
    return exc.value.errors


def test_a_type_from_another_platform_is_refused(world, programmes):
    _refused(world, programmes, _input("OQYLYQ", "WRITTEN", "ESSAY", "", programmes["algebra"]),
             field="exam_type", message=services.ERR_TYPE_NOT_ALLOWED)  # fmt: skip


def test_a_type_where_the_table_has_none_is_refused(world, programmes):
    _refused(world, programmes, _input("UNIVER", "TESTING", "PROJECT", "", programmes["algebra"]),
             field="exam_type", message=services.ERR_TYPE_MUST_BE_EMPTY)  # fmt: skip


def test_a_missing_type_is_refused(world, programmes):
    _refused(world, programmes, _input("MOODLE", "WRITTEN", "", "", programmes["algebra"]),
             field="exam_type", message=services.ERR_TYPE_REQUIRED)  # fmt: skip


def test_a_form_the_platform_does_not_have_is_refused(world, programmes):
    _refused(world, programmes, _input("OQYLYQ", "TESTING", "", "", programmes["algebra"]),
             field="form", message=services.ERR_FORM_NOT_ALLOWED)  # fmt: skip


def test_an_unknown_platform_is_refused(world, programmes):
    _refused(world, programmes, _input("ZOOMEXAM", "ORAL", "", "", programmes["algebra"]),
             field="platform", message=services.ERR_PLATFORM_UNKNOWN)  # fmt: skip


def test_oral_without_the_video_conference_platform_is_refused(world, programmes):
    _refused(world, programmes, _input("UNIVER", "ORAL", "", "  ", programmes["algebra"]),
             field="additional_info", message=services.ERR_INFO_VIDEO)  # fmt: skip


def test_certificate_without_course_platforms_is_refused(world, programmes):
    _refused(world, programmes, _input("ALTERNATIVE", "CERTIFICATE", "", "", programmes["algebra"]),
             field="additional_info", message=services.ERR_INFO_COURSES)  # fmt: skip


def test_additional_information_where_it_must_be_empty_is_refused(world, programmes):
    _refused(world, programmes, _input("MOODLE", "TESTING", "", "Zoom", programmes["algebra"]),
             field="additional_info", message=services.ERR_INFO_MUST_BE_EMPTY)  # fmt: skip


def test_startexam_for_a_non_medical_discipline_is_refused(world, programmes):
    _refused(world, programmes, _input("STARTEXAM", "TESTING", "", "", programmes["algebra"]),
             field="platform", message=services.ERR_MEDICAL_ONLY)  # fmt: skip


def test_a_programme_of_another_discipline_is_refused(world, programmes):
    _refused(world, programmes, _input("UNIVER", "TESTING", "", "", programmes["physics"]),
             field="programme", message=services.ERR_PROGRAMME_WRONG)  # fmt: skip


def test_a_file_from_another_umkd_section_is_refused(world, programmes):
    syllabus = add_programme(
        world.algebra, world.teacher, title="Syllabus", section=Section.SYLLABUS
    )
    _refused(world, programmes, _input("UNIVER", "TESTING", "", "", syllabus),
             field="programme", message=services.ERR_PROGRAMME_WRONG)  # fmt: skip


def test_no_programme_uploaded_is_refused(world):
    _refused(world, None, _input("UNIVER", "TESTING", "", "", None),
             field="programme", message=services.ERR_PROGRAMME_REQUIRED)  # fmt: skip


def test_a_nonexistent_programme_id_is_refused(world, programmes):
    data = _input("UNIVER", "TESTING")
    data.programme_id = 999999
    _refused(world, programmes, data, field="programme", message=services.ERR_PROGRAMME_WRONG)


def test_a_superseded_programme_version_is_refused(world, programmes):
    old = programmes["algebra"]
    add_version(old.material, world.teacher)
    _refused(world, programmes, _input("UNIVER", "TESTING", "", "", old),
             field="programme", message=services.ERR_PROGRAMME_OLD)  # fmt: skip


def test_several_errors_are_reported_together(world):
    errors = _refused(world, None, _input("MOODLE", "WRITTEN", "", "Zoom", None),
                      field="exam_type", message=services.ERR_TYPE_REQUIRED)  # fmt: skip
    assert set(errors) == {"exam_type", "additional_info", "programme"}


def test_a_teacher_cannot_choose_for_a_discipline_they_do_not_teach(world, programmes):
    with pytest.raises(PermissionDeniedError):
        choice_save(actor=world.teacher, discipline=world.anatomy, group=world.med_group,
                    data=_input("STARTEXAM", "TESTING", "", "", programmes["anatomy"]))  # fmt: skip
    with pytest.raises(PermissionDeniedError):
        # teaches ALG to IS-2301 and IS-2302, but PHY only to IS-2301
        choice_save(actor=world.teacher, discipline=world.physics, group=world.g2,
                    data=_input("UNIVER", "TESTING", "", "", programmes["physics"]))  # fmt: skip
    assert not ExamFormChoice.objects.exists()


def test_a_student_or_head_cannot_choose(world, programmes):
    for user in (world.student, world.head, world.outsider):
        with pytest.raises(PermissionDeniedError):
            choice_save(actor=user, discipline=world.algebra, group=world.g1,
                        data=_input("UNIVER", "TESTING", "", "", programmes["algebra"]))  # fmt: skip


def test_whitespace_is_normalised(world, programmes):
    choice = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1,
                         data=_input(" UNIVER ", "ORAL", "", "  MS   Teams ", programmes["algebra"]))  # fmt: skip
    assert choice.additional_info == "MS Teams"


def test_a_draft_can_be_saved_without_sending(world, programmes):
    choice = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, submit=False,
                         data=_input("UNIVER", "TESTING", "", "", programmes["algebra"]))  # fmt: skip
    assert choice.status == ChoiceStatus.DRAFT
    again = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, expected_revision=1,
                        data=_input("UNIVER", "TESTING", "", "", programmes["algebra"]))  # fmt: skip
    assert again.pk == choice.pk
    assert again.status == ChoiceStatus.SUBMITTED
    assert again.revision == 2


def test_editing_a_submitted_choice_keeps_it_submitted(world, programmes):
    choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1,
                data=_input("UNIVER", "TESTING", "", "", programmes["algebra"]))  # fmt: skip
    choice = choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, expected_revision=1,
                         data=_input("MOODLE", "WRITTEN", "ESSAY", "", programmes["algebra"]))  # fmt: skip
    assert (choice.status, choice.exam_type, choice.revision) == ("submitted", "ESSAY", 2)
    assert choice.transitions.count() == 2


def test_a_save_based_on_an_old_revision_is_refused(world, programmes):
    choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1,
                data=_input("UNIVER", "TESTING", "", "", programmes["algebra"]))  # fmt: skip
    choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, expected_revision=1,
                data=_input("UNIVER", "ORAL", "", "Zoom", programmes["algebra"]))  # fmt: skip
    with pytest.raises(DomainError) as exc:
        choice_save(actor=world.teacher, discipline=world.algebra, group=world.g1, expected_revision=1,
                    data=_input("MOODLE", "TESTING", "", "", programmes["algebra"]))  # fmt: skip
    assert exc.value.message == services.ERR_STALE
    assert ExamFormChoice.objects.get().form == "ORAL"
