from django.apps import AppConfig


class SyntheticConfig(AppConfig):
    """Synthetic data at national scale and the `make bench` harness (issue 6)."""

    name = "fanous.synthetic"
    label = "synthetic"
    default_auto_field = "django.db.models.BigAutoField"
