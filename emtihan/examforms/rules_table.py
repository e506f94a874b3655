"""Table 1 of the UNIVER teacher guide ("Rules for choosing the final-exam form and
platform"), exactly its 14 rows, with labels in Kazakh (the original), Russian and English.

The data migration loads it for the default academic year; the admin edits it per year and
``manage.py examforms_copy_rules`` carries a year's table to the next.
"""

from __future__ import annotations

# (number, platform, form, type, additional_info, medical_only, kk, ru, en)
TABLE_1: list[tuple[int, str, str, str, str, bool, str, str, str]] = [
    (1, "OQYLYQ", "WRITTEN", "TRADITIONAL", "none", False,
     "Жазбаша емтихан: «Oqylyq» ҚОЖ, дәстүрлі – сұрақтарға жауап",
     "Письменный экзамен: СДО «Oqylyq», традиционный – ответы на вопросы",
     "Written exam in Oqylyq LMS: traditional, answers to questions"),
    (2, "UNIVER", "WRITTEN", "TRADITIONAL", "none", False,
     "Жазбаша емтихан: UNIVER жүйесі, дәстүрлі – сұрақтарға жауап",
     "Письменный экзамен: система UNIVER, традиционный – ответы на вопросы",
     "Written exam in UNIVER: traditional, answers to questions"),
    (3, "UNIVER", "TESTING", "", "none", False,
     "Емтихан – UNIVER жүйесінде тестілеу",
     "Экзамен – тестирование в системе UNIVER",
     "Exam: testing in UNIVER"),
    (4, "UNIVER", "ORAL", "", "video_conference", False,
     "Ауызша емтихан",
     "Устный экзамен",
     "Oral exam"),
    (5, "MOODLE", "WRITTEN", "PROJECT", "none", False,
     "Жазбаша емтихан: жоба",
     "Письменный экзамен: проект",
     "Written exam: project"),
    (6, "MOODLE", "WRITTEN", "CASE", "none", False,
     "Жазбаша емтихан: кейс",
     "Письменный экзамен: кейс",
     "Written exam: case"),
    (7, "MOODLE", "WRITTEN", "ESSAY", "none", False,
     "Жазбаша емтихан: эссе",
     "Письменный экзамен: эссе",
     "Written exam: essay"),
    (8, "MOODLE", "WRITTEN", "CREATIVE", "none", False,
     "Жазбаша емтихан: шығармашылық тапсырма",
     "Письменный экзамен: творческое задание",
     "Written exam: creative task"),
    (9, "MOODLE", "TESTING", "", "none", False,
     "Емтихан – Moodle ҚОЖ-де тестілеу",
     "Экзамен – тестирование в СДО Moodle",
     "Exam: testing in Moodle LMS"),
    (10, "MOODLE", "MIXED", "MIXED_1", "none", False,
     "№ 1 аралас емтихан: жазбаша жобаны ауызша қорғау",
     "Смешанный экзамен № 1: устная защита письменного проекта",
     "Mixed exam No. 1: written project defended orally"),
    (11, "MOODLE", "MIXED", "MIXED_2", "none", False,
     "№ 2 аралас емтихан: Miro интерактивті тақталарын қолдана отырып орындалатын және ауызша қорғалатын жобалық жұмыс",
     "Смешанный экзамен № 2: проектная работа на интерактивных досках Miro с устной защитой",
     "Mixed exam No. 2: project work done on Miro interactive boards and defended orally"),
    (12, "MOODLE", "MIXED", "MIXED_3", "none", False,
     "№ 3 аралас емтихан: тест + жазбаша жоба / кейс / проблемалық шешім",
     "Смешанный экзамен № 3: тест + письменный проект / кейс / решение проблемы",
     "Mixed exam No. 3: test + written project / case / problem solution"),
    (13, "ALTERNATIVE", "CERTIFICATE", "", "course_platforms", False,
     "Балама емтихан – онлайн курстардың сертификаттарын қайта есепке алу (Coursera, Stepik, edX және т.б.)",
     "Альтернативный экзамен – перезачёт сертификатов онлайн-курсов (Coursera, Stepik, edX и др.)",
     "Alternative exam: credit transfer from online-course certificates (Coursera, Stepik, edX, ...)"),
    (14, "STARTEXAM", "TESTING", "", "none", True,
     "Емтихан – StartExam жүйесінде тестілеу",
     "Экзамен – тестирование в системе StartExam",
     "Exam: testing in StartExam"),
]  # fmt: skip


def load_table_1(exam_rule_model, instruction_model, *, academic_year: str) -> None:
    """Write Table 1 (and the default instructions, if there are none) for a year.

    Takes the model classes so the data migration can pass its historical models; tests
    that empty the database (transactional tests flush it) call it to put the table back.
    """
    from .instructions_data import INSTRUCTIONS

    for number, platform, form, exam_type, info, medical, kk, ru, en in TABLE_1:
        exam_rule_model.objects.update_or_create(
            academic_year=academic_year,
            number=number,
            defaults={
                "platform": platform,
                "form": form,
                "exam_type": exam_type,
                "additional_info": info,
                "medical_only": medical,
                "label_kk": kk,
                "label_ru": ru,
                "label_en": en,
            },
        )
    if not instruction_model.objects.exists():
        for platform, form, order, titles, texts in INSTRUCTIONS:
            instruction_model.objects.create(
                platform=platform,
                form=form,
                order=order,
                title_kk=titles[0],
                title_ru=titles[1],
                title_en=titles[2],
                text_kk=texts[0],
                text_ru=texts[1],
                text_en=texts[2],
            )
