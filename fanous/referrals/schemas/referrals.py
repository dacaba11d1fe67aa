"""Referral payloads of the API."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from ninja import Schema
from pydantic import Field

from fanous.domain.referrals import ReferralAction, ReferralStatus


class ReferralSendIn(Schema):
    id: UUID | None = None
    case_id: UUID
    provider_id: UUID
    service_type: str = Field(max_length=64)
    kind: str = Field("standard", max_length=64)
    need: str = Field("", max_length=64)
    plan_action_id: UUID | None = None
    reason: str = Field(max_length=4000)
    # None: the information-sharing protocol's minimal default for this type.
    sections: list[str] | None = None
    override_reason: str = Field("", max_length=4000)
    accompaniment: list[str] = []
    accompaniment_notes: str = Field("", max_length=2000)
    to_user_id: int | None = None


class ReferralActIn(Schema):
    version: int
    reason: str = Field("", max_length=2000)
    outcome: str = Field("", max_length=4000)
    feedback: str = Field("", max_length=4000)


class ReferralOut(Schema):
    id: UUID
    reference: str
    version: int
    status: ReferralStatus
    kind: str
    urgent: bool
    need: str
    service_type: str
    internal: bool
    provider_id: UUID
    provider_name: str
    to_user_id: int | None
    reason: str
    sections: list[str]
    # The frozen snapshot the receiver reads (empty until the referral is sent).
    shared: dict[str, Any]
    basis: str
    override_reason: str
    accompaniment: list[str]
    accompaniment_notes: str
    sent_at: datetime | None
    acknowledge_by: datetime | None
    respond_by: datetime | None
    deliver_by: datetime | None
    acknowledged_at: datetime | None
    accepted_at: datetime | None
    declined_at: datetime | None
    decline_reason: str
    delivered_at: datetime | None
    outcome: str
    closed_at: datetime | None
    feedback: str
    revoked_at: datetime | None
    revoke_reason: str
    overdue: str | None
    sender_agency: str
    # Only for the sending side: the receiving service never gets a handle on the case.
    case_id: UUID | None = None
    case_number: str | None = None
    # What the reader may do next.
    actions: list[ReferralAction]


class ReferralOptionsOut(Schema):
    """What a sender can choose for a new referral of this case."""

    consent_on_record: bool
    types: list[dict[str, Any]]
    sections: list[dict[str, Any]]
