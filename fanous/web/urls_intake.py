"""URLs of the web app's intake pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_intake as v

urlpatterns: list[URLPattern] = [
    path("register/", v.intake_search, name="intake_search"),
    path("register/new/", v.intake_new, name="intake_new"),
    path("cases/<uuid:case_id>/register/consent/", v.intake_consent, name="intake_consent"),
    path(
        "cases/<uuid:case_id>/register/details/",
        v.intake_registration,
        name="intake_registration",
    ),
    path(
        "cases/<uuid:case_id>/register/not-eligible/",
        v.intake_not_eligible,
        name="intake_not_eligible",
    ),
]
