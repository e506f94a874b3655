from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from emtihan.examforms.instructions_data import INSTRUCTIONS
    from emtihan.examforms.rules_table import TABLE_1

    ExamRule = apps.get_model("examforms", "ExamRule")
    Instruction = apps.get_model("examforms", "Instruction")
    year = settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR
    for number, platform, form, exam_type, info, medical, kk, ru, en in TABLE_1:
        ExamRule.objects.update_or_create(
            academic_year=year,
            number=number,
            defaults=dict(
                platform=platform, form=form, exam_type=exam_type, additional_info=info,
                medical_only=medical, label_kk=kk, label_ru=ru, label_en=en,
            ),
        )
    if not Instruction.objects.exists():
        for platform, form, order, titles, texts in INSTRUCTIONS:
            Instruction.objects.create(
                platform=platform, form=form, order=order,
                title_kk=titles[0], title_ru=titles[1], title_en=titles[2],
                text_kk=texts[0], text_ru=texts[1], text_en=texts[2],
            )


class Migration(migrations.Migration):
    dependencies = [("examforms", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
