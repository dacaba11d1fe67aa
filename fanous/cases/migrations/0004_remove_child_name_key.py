"""The plain name key gives way to the blind index Child.name_digest (see 0002, 0003)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_encryption_seal_rows"),
    ]

    operations = [
        # A default first, so that going back can re-add the column to existing rows.
        migrations.AlterField(
            model_name="child",
            name="name_key",
            field=models.CharField(db_index=True, default="", max_length=400),
        ),
        migrations.RemoveField(model_name="child", name="name_key"),
    ]
