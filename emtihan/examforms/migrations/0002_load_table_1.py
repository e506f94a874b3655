from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from emtihan.examforms.rules_table import load_table_1

    load_table_1(
        apps.get_model("examforms", "ExamRule"),
        apps.get_model("examforms", "Instruction"),
        academic_year=settings.EXAMFORMS_DEFAULT_ACADEMIC_YEAR,
    )


class Migration(migrations.Migration):
    dependencies = [("examforms", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
