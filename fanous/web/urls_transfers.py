from django.urls import URLPattern, path

from . import views_transfers as v

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/transfer/", v.transfer_new, name="transfer_new"),
    path("transfers/", v.transfer_list, name="transfers"),
    path("transfers/<uuid:transfer_id>/", v.transfer_detail, name="transfer_detail"),
    path(
        "transfers/<uuid:transfer_id>/<slug:action>/",
        v.transfer_act,
        name="transfer_act",
    ),
]
