"""The referrals area of the API: service map, referrals, transfers, emergency cash."""

from fanous.referrals.api.cash import router as cash_router
from fanous.referrals.api.providers import router as providers_router
from fanous.referrals.api.referrals import router as referrals_router
from fanous.referrals.api.transfers import router as transfers_router

__all__ = ["cash_router", "providers_router", "referrals_router", "transfers_router"]
