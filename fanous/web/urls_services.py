"""URLs of the service map pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_services as v

urlpatterns: list[URLPattern] = [
    path("services/", v.services_list, name="services_list"),
    path("services/new/", v.services_new, name="services_new"),
    path("services/import/", v.services_import, name="services_import"),
    path("services/export.xlsx", v.services_export, name="services_export"),
    path("services/annex/", v.sop_annex_services, name="sop_annex_services"),
    path("services/<uuid:provider_id>/", v.services_detail, name="services_detail"),
    path("services/<uuid:provider_id>/edit/", v.services_edit, name="services_edit"),
    path(
        "services/<uuid:provider_id>/deactivate/",
        v.services_deactivate,
        name="services_deactivate",
    ),
    path("cases/<uuid:case_id>/pathways/", v.services_pathways, name="services_pathways"),
]
