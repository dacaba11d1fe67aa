"""URLs of the correction pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_edit as v

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/child/edit", v.child_edit, name="child_edit"),
    path("cases/<uuid:case_id>/registration/edit", v.registration_edit, name="registration_edit"),
    path(
        "cases/<uuid:case_id>/household-members/new",
        v.household_member_new,
        name="household_member_new",
    ),
]
