"""Encryption at rest (SECURITY.md, "Encryption"): identifying and sensitive fields become
encrypted columns, the sensitive assessment facts move to an encrypted column, and the
plain name key gives way to a blind index (Child.name_digest). Existing rows are sealed in
place, in batches; going back unseals them (and rebuilds the plain name key)."""

from django.db import migrations, models

import fanous.core.fields
from fanous.core.migration_ops import BATCH, seal_rows, unseal_rows

ENCRYPTED = {
    "cases.Household": ("address", "phone", "notes"),
    "cases.Child": (
        "given_name",
        "father_name",
        "grandfather_name",
        "family_name",
        "phone",
        "current_address",
    ),
    "cases.HouseholdMember": ("name", "protection_concerns"),
    "cases.Consent": ("giver_name", "withdrawn_reason", "notes"),
    "cases.Registration": (
        "workplace_name",
        "workplace_location",
        "workplace_contact",
        "immediate_protection_risks",
        "health_wellbeing",
        "whereabouts_when_not_working",
    ),
    "cases.Assessment": ("narrative",),
}

MAX_LENGTHS = {
    ("household", "address"): (300, True),
    ("household", "phone"): (32, True),
    ("household", "notes"): (4000, True),
    ("child", "given_name"): (80, False),
    ("child", "father_name"): (80, True),
    ("child", "grandfather_name"): (80, True),
    ("child", "family_name"): (80, True),
    ("child", "phone"): (32, True),
    ("child", "current_address"): (300, True),
    ("householdmember", "name"): (200, False),
    ("householdmember", "protection_concerns"): (300, True),
    ("consent", "giver_name"): (200, True),
    ("consent", "withdrawn_reason"): (2000, True),
    ("consent", "notes"): (2000, True),
    ("registration", "workplace_name"): (200, True),
    ("registration", "workplace_location"): (300, True),
    ("registration", "workplace_contact"): (120, True),
    ("registration", "immediate_protection_risks"): (4000, True),
    ("registration", "health_wellbeing"): (4000, True),
    ("registration", "whereabouts_when_not_working"): (300, True),
}


def _names(row):
    parts = [row["given_name"], row["father_name"], row["grandfather_name"], row["family_name"]]
    return " ".join(p for p in parts if p)


def seal_all(apps, schema_editor):
    for label, names in ENCRYPTED.items():
        seal_rows(label, names)(apps, schema_editor)


def unseal_all(apps, schema_editor):
    for label, names in ENCRYPTED.items():
        unseal_rows(label, names)(apps, schema_editor)


def digest_names(apps, schema_editor):
    from fanous.core.crypto import name_digest

    Child = apps.get_model("cases", "Child")
    rows = Child.objects.values(
        "pk", "given_name", "father_name", "grandfather_name", "family_name"
    ).iterator(BATCH)
    for row in rows:
        Child.objects.filter(pk=row["pk"]).update(name_digest=name_digest(_names(row)))


def rebuild_name_keys(apps, schema_editor):
    from fanous.domain.names import normalize_name

    Child = apps.get_model("cases", "Child")
    rows = Child.objects.values(
        "pk", "given_name", "father_name", "grandfather_name", "family_name"
    ).iterator(BATCH)
    for row in rows:
        Child.objects.filter(pk=row["pk"]).update(name_key=normalize_name(_names(row)))


def split_facts(apps, schema_editor):
    from fanous.cases.sealing import sensitive_fact_codes
    from fanous.cases.sealing import split_facts as split

    Assessment = apps.get_model("cases", "Assessment")
    SopVersion = apps.get_model("sop", "SopVersion")
    sensitive = {pk: sensitive_fact_codes(data) for pk, data in SopVersion.objects.values_list("pk", "data")}
    rows = Assessment.objects.values("pk", "sop_version_id", "open_facts", "sealed_facts").iterator(BATCH)
    for row in rows:
        merged = {**(row["open_facts"] or {}), **(row["sealed_facts"] or {})}
        open_, sealed = split(merged, sensitive.get(row["sop_version_id"], frozenset()))
        Assessment.objects.filter(pk=row["pk"]).update(open_facts=open_, sealed_facts=sealed)


def merge_facts(apps, schema_editor):
    Assessment = apps.get_model("cases", "Assessment")
    rows = Assessment.objects.values("pk", "open_facts", "sealed_facts").iterator(BATCH)
    for row in rows:
        merged = {**(row["open_facts"] or {}), **(row["sealed_facts"] or {})}
        Assessment.objects.filter(pk=row["pk"]).update(open_facts=merged, sealed_facts={})


def _alter_fields():
    ops = []
    for (model, name), (length, blank) in MAX_LENGTHS.items():
        ops.append(
            migrations.AlterField(
                model_name=model,
                name=name,
                field=fanous.core.fields.EncryptedTextField(blank=blank, max_length=length),
            )
        )
    return ops


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("sop", "0001_initial"),
    ]

    operations = [
        # The merged facts stay readable as Assessment.facts (a property); the column keeps
        # its name "facts" and holds the facts that are not sensitive.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RenameField(
                    model_name="assessment", old_name="facts", new_name="open_facts"
                ),
                migrations.AlterField(
                    model_name="assessment",
                    name="open_facts",
                    field=models.JSONField(db_column="facts", default=dict),
                ),
            ]
        ),
        migrations.AddField(
            model_name="assessment",
            name="sealed_facts",
            field=fanous.core.fields.EncryptedJSONField(default=dict),
        ),
        migrations.AlterField(
            model_name="assessment",
            name="narrative",
            field=fanous.core.fields.EncryptedJSONField(default=dict),
        ),
        *_alter_fields(),
        migrations.AddField(
            model_name="child",
            name="name_digest",
            field=models.TextField(blank=True, default=""),
        ),
    ]
