from django.urls import URLPattern, path

from . import views_card as v

urlpatterns: list[URLPattern] = [
    path("referrals/<uuid:referral_id>/card.pdf", v.referral_card, name="referral_card"),
]
