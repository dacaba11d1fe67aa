"""URLs of the web app's assessment and case-plan pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_assessment, views_plan

urlpatterns: list[URLPattern] = [
    path(
        "cases/<uuid:case_id>/assessments/new",
        views_assessment.assessment_new,
        name="assessment_new",
    ),
    path(
        "cases/<uuid:case_id>/assessments/preview",
        views_assessment.assessment_preview,
        name="assessment_preview",
    ),
    path("cases/<uuid:case_id>/plan", views_plan.plan_edit, name="plan_edit"),
]
