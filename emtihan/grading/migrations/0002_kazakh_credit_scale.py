"""The default scale: the Kazakh credit (ECTS-style) system, as data."""

from django.db import migrations

from emtihan.grading.scale_data import NAME, load_kazakh_credit


def add_scale(apps, schema_editor):
    load_kazakh_credit(
        apps.get_model("grading", "GradeScale"), apps.get_model("grading", "GradeBand")
    )


def remove_scale(apps, schema_editor):
    apps.get_model("grading", "GradeScale").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("grading", "0001_initial")]
    operations = [migrations.RunPython(add_scale, remove_scale)]
