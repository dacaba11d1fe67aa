"""The transfer snapshot, sealed in place (see 0004): the sending caseworker is copied out of
it first, so the sending team still finds its read-only record. On PostgreSQL the data and
the schema changes of one table cannot share a transaction, hence a migration of its own."""

from django.db import migrations

from fanous.core.migration_ops import unseal_rows


def seal_snapshots(apps, schema_editor):
    model = apps.get_model("referrals.CaseTransfer")
    manager = model._default_manager.using(schema_editor.connection.alias)
    for transfer in manager.all().iterator(chunk_size=500):
        snapshot = transfer.snapshot or {}
        transfer.sending_caseworker_id = snapshot.get("caseworker_id")
        transfer.save(update_fields=["snapshot", "sending_caseworker"])


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0004_transfer_snapshot_encrypted"),
    ]

    operations = [
        migrations.RunPython(
            seal_snapshots, unseal_rows("referrals.CaseTransfer", ("snapshot",)), elidable=False
        ),
    ]
