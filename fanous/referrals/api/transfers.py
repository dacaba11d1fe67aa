"""Transfer endpoints: request, read, approve, accept, decline, cancel (SPEC §9, §10)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router, Status

from fanous.accounts.access import Actor
from fanous.referrals.schemas.transfers import (
    TransferAcceptIn,
    TransferListOut,
    TransferOut,
    TransferReasonIn,
    TransferRequestIn,
    TransferVersionIn,
)
from fanous.referrals.selectors import transfers as sel
from fanous.referrals.services import transfers as svc

router = Router(tags=["transfers"])


def _out(request: HttpRequest, transfer_id: UUID, audit_section: str = "") -> dict[str, Any]:
    actor = Actor.of_request(request)
    transfer = sel.transfer_get(actor=actor, transfer_id=transfer_id, audit_section=audit_section)
    return sel.transfer_view(
        actor=actor, transfer=transfer, lang=(get_language() or "ar")[:2], with_history=True
    )


@router.post("", response={201: TransferOut})
def transfer_request(request: HttpRequest, payload: TransferRequestIn) -> Status[dict[str, Any]]:
    """Ask to transfer a case to another agency (a supervisor's request is approved at once).

    Idempotent by `id`.
    """
    transfer = svc.transfer_request(
        actor=Actor.of_request(request),
        case_id=payload.case_id,
        expected_version=payload.version,
        record_id=payload.id,
        to_agency_id=payload.to_agency_id,
        reason=payload.reason,
        note_to_receiver=payload.note_to_receiver,
        override_reason=payload.override_reason,
    )
    return Status(201, _out(request, transfer.pk))


@router.get("", response=TransferListOut)
def transfer_list(request: HttpRequest) -> dict[str, Any]:
    """Transfers offered to my agency (inbox) and those of my case team (outbox)."""
    actor = Actor.of_request(request)
    lang = (get_language() or "ar")[:2]
    lists = sel.transfer_list_for(actor=actor)
    return {
        "inbox": [sel.transfer_view(actor=actor, transfer=t, lang=lang) for t in lists.inbox],
        "outbox": [sel.transfer_view(actor=actor, transfer=t, lang=lang) for t in lists.outbox],
    }


@router.get("/{transfer_id}", response=TransferOut)
def transfer_get(request: HttpRequest, transfer_id: UUID) -> dict[str, Any]:
    """One transfer. For the sending team after acceptance: the read-only record, with the
    case history up to the moment the case left. The read is recorded in the audit log."""
    return _out(request, transfer_id, audit_section="transfer")


@router.post("/{transfer_id}/approve", response=TransferOut)
def transfer_approve(
    request: HttpRequest, transfer_id: UUID, payload: TransferVersionIn
) -> dict[str, Any]:
    svc.transfer_approve(
        actor=Actor.of_request(request), transfer_id=transfer_id, expected_version=payload.version
    )
    return _out(request, transfer_id)


@router.post("/{transfer_id}/accept", response=TransferOut)
def transfer_accept(
    request: HttpRequest, transfer_id: UUID, payload: TransferAcceptIn
) -> dict[str, Any]:
    svc.transfer_accept(
        actor=Actor.of_request(request),
        transfer_id=transfer_id,
        expected_version=payload.version,
        caseworker_id=payload.caseworker_id,
    )
    return _out(request, transfer_id)


@router.post("/{transfer_id}/decline", response=TransferOut)
def transfer_decline(
    request: HttpRequest, transfer_id: UUID, payload: TransferReasonIn
) -> dict[str, Any]:
    svc.transfer_decline(
        actor=Actor.of_request(request),
        transfer_id=transfer_id,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(request, transfer_id)


@router.post("/{transfer_id}/cancel", response=TransferOut)
def transfer_cancel(
    request: HttpRequest, transfer_id: UUID, payload: TransferReasonIn
) -> dict[str, Any]:
    svc.transfer_cancel(
        actor=Actor.of_request(request),
        transfer_id=transfer_id,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _out(request, transfer_id)
