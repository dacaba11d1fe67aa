# Every event is chained (0003 chained the older ones): seq and hash become required.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_chain'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='seq',
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name='event',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AlterField(
            model_name='event',
            name='hash',
            field=models.CharField(max_length=64),
        ),
    ]
