from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "fanous.referrals"
    label = "referrals"
