"""One chain per exam plus a global chain (``audit.models`` docstring).

The existing entries become the global chain as they are: their ``seq``, ``prev_hash`` and
``hash`` do not change, and the global chain's entries hash without the chain's name, so
they verify unchanged. The one head row becomes the global chain's head. The head table is
rebuilt rather than altered (its key changes from ``id = 1`` to the chain's name), under a
new name that is renamed back once the old one is gone: PostgreSQL keeps a renamed table's
index names, and the old ``audit_audithead_pkey`` would clash with the new table's.
"""

from django.db import migrations, models

GENESIS_HASH = "0" * 64


def heads_to_chains(apps, schema_editor):
    old = apps.get_model("audit", "AuditHead").objects.filter(id=1).first()
    if old is not None:
        apps.get_model("audit", "AuditChainHead").objects.create(
            chain="global", seq=old.seq, hash=old.hash
        )


def chains_to_head(apps, schema_editor):
    heads = apps.get_model("audit", "AuditChainHead").objects
    if heads.exclude(chain="global").exists():
        raise RuntimeError("The log has exam chains: one head row cannot hold them.")
    head = heads.filter(chain="global").first()
    if head is not None:
        apps.get_model("audit", "AuditHead").objects.create(id=1, seq=head.seq, hash=head.hash)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="chain",
            field=models.CharField(default="global", max_length=64, verbose_name="chain"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(verbose_name="sequence"),
        ),
        migrations.AddConstraint(
            model_name="auditentry",
            constraint=models.UniqueConstraint(
                fields=("chain", "seq"), name="audit_entry_chain_seq"
            ),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["chain", "seq"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit entries",
            },
        ),
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                (
                    "chain",
                    models.CharField(
                        max_length=64, primary_key=True, serialize=False, verbose_name="chain"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS_HASH, max_length=64)),
            ],
            options={"verbose_name": "audit chain head"},
        ),
        migrations.RunPython(heads_to_chains, chains_to_head),
        migrations.DeleteModel(name="AuditHead"),
        migrations.RenameModel(old_name="AuditChainHead", new_name="AuditHead"),
    ]
