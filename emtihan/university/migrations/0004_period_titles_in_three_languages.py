"""An academic period's title in the three interface languages (issue 8: it stayed English
on Kazakh and Russian pages). The title there was one field: it becomes the Kazakh one
(pages fall back to it in every language until the others are filled in the admin)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("university", "0003_proctor_assignments")]

    operations = [
        migrations.RenameField("academicperiod", "title", "title_kk"),
        migrations.AlterField(
            model_name="academicperiod",
            name="title_kk",
            field=models.CharField(max_length=100, verbose_name="title (Kazakh)"),
        ),
        migrations.AddField(
            model_name="academicperiod",
            name="title_ru",
            field=models.CharField(blank=True, max_length=100, verbose_name="title (Russian)"),
        ),
        migrations.AddField(
            model_name="academicperiod",
            name="title_en",
            field=models.CharField(blank=True, max_length=100, verbose_name="title (English)"),
        ),
    ]
