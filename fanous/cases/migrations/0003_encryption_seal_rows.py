"""Encryption at rest, the data: seal the existing rows in place, compute the name index,
move the sensitive assessment facts to the sealed column (see 0002). On PostgreSQL the data
and the schema changes of one table cannot share a transaction, hence three migrations."""

import importlib

from django.db import migrations

schema = importlib.import_module("fanous.cases.migrations.0002_encryption_at_rest")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_encryption_at_rest"),
    ]

    operations = [
        migrations.RunPython(schema.digest_names, schema.rebuild_name_keys, elidable=False),
        migrations.RunPython(schema.seal_all, schema.unseal_all, elidable=False),
        migrations.RunPython(schema.split_facts, schema.merge_facts, elidable=False),
    ]
