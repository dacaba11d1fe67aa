"""Encryption at rest, the data: seal the existing rows in place (see 0002). On PostgreSQL
the data and the schema changes of one table cannot share a transaction."""

import importlib

from django.db import migrations

schema = importlib.import_module("fanous.referrals.migrations.0002_encryption_at_rest")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_encryption_at_rest"),
    ]

    operations = [
        migrations.RunPython(schema.seal_all, schema.unseal_all, elidable=False),
    ]
