"""Pictures get a random key: the URL graders use names no attempt (policy.attempts)."""

import uuid

from django.db import migrations, models


def fill_keys(apps, schema_editor):
    Picture = apps.get_model("attempts", "Picture")
    for picture in Picture.objects.filter(key__isnull=True).only("pk"):
        picture.key = uuid.uuid4()
        picture.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("attempts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="picture", name="key", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="picture",
            name="key",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
