"""What `manage.py generate_synthetic` put in this database (so `make bench` reuses it)."""

from __future__ import annotations

from django.db import models


class SyntheticDataset(models.Model):
    seed = models.IntegerField()
    cases = models.PositiveIntegerField()
    agencies = models.PositiveSmallIntegerField()
    reference_date = models.DateField()
    generated_at = models.DateTimeField()
    seconds = models.FloatField()
    rows = models.JSONField(default=dict)  # table -> rows written

    def __str__(self) -> str:
        return f"synthetic {self.cases} cases, seed {self.seed}"
