"""The default scale: the Kazakh credit (ECTS-style) system, as data."""

from django.db import migrations

# letter, from %, to %, GPA points, traditional mark
KAZAKH_CREDIT = [
    ("A", 95, 100, "4.00", "excellent"),
    ("A-", 90, 94, "3.67", "excellent"),
    ("B+", 85, 89, "3.33", "good"),
    ("B", 80, 84, "3.00", "good"),
    ("B-", 75, 79, "2.67", "good"),
    ("C+", 70, 74, "2.33", "satisfactory"),
    ("C", 65, 69, "2.00", "satisfactory"),
    ("C-", 60, 64, "1.67", "satisfactory"),
    ("D+", 55, 59, "1.33", "satisfactory"),
    ("D", 50, 54, "1.00", "satisfactory"),
    ("FX", 25, 49, "0.00", "unsatisfactory"),
    ("F", 0, 24, "0.00", "unsatisfactory"),
]
NAME = "Kazakh credit system"


def add_scale(apps, schema_editor):
    GradeScale = apps.get_model("grading", "GradeScale")
    GradeBand = apps.get_model("grading", "GradeBand")
    scale, created = GradeScale.objects.get_or_create(
        name=NAME, defaults={"is_default": not GradeScale.objects.filter(is_default=True).exists()}
    )
    if created:
        GradeBand.objects.bulk_create(
            GradeBand(scale=scale, letter=letter, min_percent=low, max_percent=high, gpa=gpa,
                      traditional=traditional)
            for letter, low, high, gpa, traditional in KAZAKH_CREDIT
        )  # fmt: skip


def remove_scale(apps, schema_editor):
    apps.get_model("grading", "GradeScale").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [("grading", "0001_initial")]
    operations = [migrations.RunPython(add_scale, remove_scale)]
