from django.urls import path

from . import (
    urls_access,
    urls_annex,
    urls_assessment,
    urls_audit,
    urls_card,
    urls_cash,
    urls_coord,
    urls_dashboard,
    urls_edit,
    urls_exports,
    urls_followup,
    urls_intake,
    urls_notifications,
    urls_referrals,
    urls_reports,
    urls_services,
    urls_transfers,
    views,
)

app_name = "web"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("language", views.set_language, name="set_language"),
    path("preferences/", views.preferences, name="preferences"),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
    *urls_intake.urlpatterns,
    *urls_assessment.urlpatterns,
    *urls_followup.urlpatterns,
    *urls_coord.urlpatterns,
    *urls_edit.urlpatterns,
    *urls_services.urlpatterns,
    *urls_referrals.urlpatterns,
    *urls_transfers.urlpatterns,
    *urls_cash.urlpatterns,
    *urls_notifications.urlpatterns,
    *urls_card.urlpatterns,
    *urls_audit.urlpatterns,
    *urls_dashboard.urlpatterns,
    *urls_exports.urlpatterns,
    *urls_reports.urlpatterns,
    *urls_access.urlpatterns,
    *urls_annex.urlpatterns,
]
