from django.urls import path

from . import urls_assessment, urls_coord, urls_followup, urls_intake, views

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
]
