"""URLs of the case access pages: shares, revocation, break-glass (SPEC §12)."""

from django.urls import URLPattern, path

from . import views_access as v

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/access/", v.case_access, name="case_access"),
    path(
        "cases/<uuid:case_id>/access/<uuid:grant_id>/revoke",
        v.grant_revoke,
        name="case_access_revoke",
    ),
    path("access/break-glass/", v.break_glass, name="break_glass"),
]
