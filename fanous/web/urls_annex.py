"""Printable data-protection annexes of the SOP: the DPIA and the information sharing protocol."""

from django.urls import path

from . import views_annex as v

urlpatterns = [
    path("annex/dpia/", v.annex_dpia, name="annex_dpia"),
    path("annex/dpia.pdf", v.annex_dpia_pdf, name="annex_dpia_pdf"),
    path("annex/sharing/", v.annex_sharing, name="annex_sharing"),
    path("sop/<uuid:sop_id>/annex/dpia/", v.annex_dpia, name="sop_annex_dpia"),
    path("sop/<uuid:sop_id>/annex/dpia.pdf", v.annex_dpia_pdf, name="sop_annex_dpia_pdf"),
    path("sop/<uuid:sop_id>/annex/sharing/", v.annex_sharing, name="sop_annex_sharing"),
]
