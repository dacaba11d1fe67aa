from django.urls import URLPattern, path

from . import views_referrals as v

urlpatterns: list[URLPattern] = [
    path("cases/<uuid:case_id>/referrals/new/", v.referral_new, name="referral_new"),
    path("referrals/", v.referral_list, name="referral_list"),
    path("referrals/inbox/", v.referral_inbox, name="referral_inbox"),
    path("referrals/overrides/", v.referral_overrides, name="referral_overrides"),
    path("referrals/<uuid:referral_id>/", v.referral_detail, name="referral_detail"),
    path("referrals/<uuid:referral_id>/<slug:action>/", v.referral_act, name="referral_act"),
]
