"""Encryption at rest (SECURITY.md, "Encryption"): the snapshot a referral shares and the
free-text notes of transfers and emergency cash become encrypted columns, sealed in place."""

from django.db import migrations

import fanous.core.fields
from fanous.core.migration_ops import seal_rows, unseal_rows

ENCRYPTED = {
    "referrals.Referral": ("shared",),
    "referrals.CaseTransfer": ("reason", "note_to_receiver"),
    "referrals.CashDisbursement": ("note",),
}


def seal_all(apps, schema_editor):
    for label, names in ENCRYPTED.items():
        seal_rows(label, names)(apps, schema_editor)


def unseal_all(apps, schema_editor):
    for label, names in ENCRYPTED.items():
        unseal_rows(label, names)(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="referral",
            name="shared",
            field=fanous.core.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="casetransfer",
            name="reason",
            field=fanous.core.fields.EncryptedTextField(max_length=4000),
        ),
        migrations.AlterField(
            model_name="casetransfer",
            name="note_to_receiver",
            field=fanous.core.fields.EncryptedTextField(max_length=2000),
        ),
        migrations.AlterField(
            model_name="cashdisbursement",
            name="note",
            field=fanous.core.fields.EncryptedTextField(blank=True, max_length=2000),
        ),
    ]
