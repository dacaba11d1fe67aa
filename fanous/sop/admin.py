from django.contrib import admin

from .models import SopVersion


@admin.register(SopVersion)
class SopVersionAdmin(admin.ModelAdmin[SopVersion]):
    """Read-only here: SOP versions are written through the coordinator's API/UI services."""

    list_display = ("area", "version", "status", "endorsed_on", "in_force_from")
    list_filter = ("status", "area")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
