"""URLs of the web app's coord pages (included by fanous/web/urls.py)."""

from django.urls import URLPattern, path

from . import views_agenda, views_coord

urlpatterns: list[URLPattern] = [
    path("agenda/", views_agenda.agenda, name="agenda"),
    path("sop/", views_coord.sop_list, name="sop_list"),
    path("sop/<uuid:sop_id>/", views_coord.sop_detail, name="sop_detail"),
    path("sop/<uuid:sop_id>/new-version/", views_coord.sop_new_version, name="sop_new_version"),
    path(
        "sop/<uuid:sop_id>/timeframes/",
        views_coord.sop_edit_timeframes,
        name="sop_edit_timeframes",
    ),
    path("sop/<uuid:sop_id>/closure/", views_coord.sop_edit_closure, name="sop_edit_closure"),
    path(
        "sop/<uuid:sop_id>/matrix/<str:concern>/",
        views_coord.sop_edit_matrix,
        name="sop_edit_matrix",
    ),
    path("sop/<uuid:sop_id>/publish/", views_coord.sop_publish, name="sop_publish"),
]
