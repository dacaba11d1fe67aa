"""The audit log viewer and its export (supervisors and agency admins)."""

from django.urls import URLPattern, path

from . import views_audit

urlpatterns: list[URLPattern] = [
    path("audit/", views_audit.audit_log, name="audit_log"),
    path("audit/export/", views_audit.audit_export, name="audit_export"),
]
