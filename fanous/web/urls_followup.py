"""URLs of the web app's followup pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_followup, views_supervision

urlpatterns: list[URLPattern] = [
    path(
        "cases/<uuid:case_id>/follow-ups/",
        views_followup.follow_up_list,
        name="follow_up_list",
    ),
    path(
        "cases/<uuid:case_id>/follow-ups/new",
        views_followup.follow_up_new,
        name="follow_up_new",
    ),
    path("cases/<uuid:case_id>/reviews/new", views_followup.review_new, name="review_new"),
    path("cases/<uuid:case_id>/closure", views_followup.closure_new, name="closure_new"),
    path("cases/<uuid:case_id>/assign", views_supervision.case_assign, name="case_assign"),
    path("supervision/", views_supervision.approvals, name="approvals"),
    path("supervision/team", views_supervision.team, name="team"),
    path(
        "supervision/cases/<uuid:case_id>/",
        views_supervision.decision,
        name="decision",
    ),
]
