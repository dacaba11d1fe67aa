"""Overdue referrals (SPEC §8: overdue referrals flagged): reminders once per deadline."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.utils import timezone, translation

from fanous.conftest import World
from fanous.notifications.kinds import Kind
from fanous.notifications.models import Notification
from fanous.notifications.overdue import (
    notify_overdue_referrals,
    notify_overdue_transfers,
    overdue_referrals,
)
from fanous.notifications.render import notification_text
from fanous.notifications.tasks import notify_overdue
from fanous.notifications.tests.support import sent_referral
from fanous.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _overdue(world: World) -> dict[str, int]:
    rows = Notification.objects.filter(kind=Kind.REFERRAL_OVERDUE.value)
    return {name: rows.filter(user=u).count() for name, u in world.users.items()}


def test_spec_8_referral_past_its_acknowledge_deadline_is_notified_once_even_run_twice(
    world: World,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        referral = sent_referral(world)
    assert referral.acknowledge_by is not None
    with time_machine.travel(referral.acknowledge_by - timedelta(minutes=1), tick=False):
        call_command("notify_overdue", stdout=StringIO())
        assert Notification.objects.filter(kind=Kind.REFERRAL_OVERDUE.value).count() == 0
    with time_machine.travel(referral.acknowledge_by + timedelta(hours=1), tick=False):
        out = StringIO()
        call_command("notify_overdue", stdout=out)
        call_command("notify_overdue", stdout=StringIO())
    assert out.getvalue().startswith("1 overdue referral(s), 0 overdue transfer(s), 3 new")
    # The sender, her supervisor and the receiving service; nobody else.
    counts = _overdue(world)
    assert counts == {**dict.fromkeys(world.users, 0), "alice": 1, "bob": 1, "sam": 1}
    note = Notification.objects.get(user=world.users["alice"], kind=Kind.REFERRAL_OVERDUE.value)
    assert note.dedupe_key == f"overdue:{referral.pk}:acknowledge"
    assert note.link == f"/referrals/{referral.pk}/"
    with translation.override("en"):
        assert "was not acknowledged in time" in notification_text(note)
        assert "Non-formal education centre" in notification_text(note)


def test_spec_8_a_later_missed_deadline_is_a_new_reminder(world: World) -> None:
    referral = sent_referral(world)
    assert referral.acknowledge_by
    assert referral.respond_by
    with time_machine.travel(referral.acknowledge_by + timedelta(minutes=5), tick=False):
        notify_overdue_referrals(now=timezone.now())
    Referral.objects.filter(pk=referral.pk).update(status="acknowledged")
    with time_machine.travel(referral.respond_by + timedelta(minutes=5), tick=False):
        notify_overdue_referrals(now=timezone.now())
        notify_overdue_referrals(now=timezone.now())
    keys = sorted(
        Notification.objects.filter(user=world.users["alice"]).values_list("dedupe_key", flat=True)
    )
    assert keys == [f"overdue:{referral.pk}:acknowledge", f"overdue:{referral.pk}:respond"]


def test_spec_8_answered_or_closed_referrals_are_not_overdue(world: World) -> None:
    referral = sent_referral(world)
    assert referral.respond_by is not None
    late = referral.respond_by + timedelta(hours=1)
    for status in ("accepted", "declined", "revoked", "closed", "delivered"):
        Referral.objects.filter(pk=referral.pk).update(status=status)
        assert not overdue_referrals(late).exists(), status
    assert notify_overdue_referrals(now=late).referrals == 0
    assert Notification.objects.count() == 0


def test_spec_8_to_user_referral_reminds_that_user_not_the_whole_service(world: World) -> None:
    from fanous.conftest import make_user
    from fanous.domain.roles import Role

    other = make_user("sami", Role.SERVICE_PROVIDER, world.agency_b)
    referral = sent_referral(world)
    Referral.objects.filter(pk=referral.pk).update(to_user=other)
    assert referral.acknowledge_by is not None
    notify_overdue_referrals(now=referral.acknowledge_by + timedelta(hours=1))
    assert Notification.objects.filter(user=other).count() == 1
    assert Notification.objects.filter(user=world.users["sam"]).count() == 0


def test_notify_overdue_task_runs_through_the_task_backend_and_mails_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    world.users["bob"].email = "bob@example.org"
    world.users["bob"].save(update_fields=["email"])
    referral = sent_referral(world)
    assert referral.acknowledge_by is not None
    mail.outbox.clear()
    with (
        time_machine.travel(referral.acknowledge_by + timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = notify_overdue.enqueue()
    assert result.return_value == {"referrals": 1, "transfers": 0, "notifications": 3}
    # Only bob has an e-mail address.
    assert [m.to for m in mail.outbox] == [["bob@example.org"]]


def _pending_transfer(world: World, *, status: str, at: Any) -> Any:
    from fanous.cases.models import Case
    from fanous.conftest import registered_case
    from fanous.referrals.models import CaseTransfer
    from fanous.sop.selectors import active_sop

    case = Case.objects.get(pk=registered_case(world.api("alice"))["id"])
    return CaseTransfer.objects.create(
        case=case,
        from_agency=world.agency_a,
        to_agency=world.agency_b,
        status=status,
        reason="انتقال الأسرة",
        note_to_receiver="انتقلت الأسرة إلى منطقة عمل الوكالة ب",
        basis="consent",
        requested_by=world.users["alice"],
        requested_at=at,
        approved_by=world.users["bob"] if status == "approved" else None,
        approved_at=at if status == "approved" else None,
        sop_version=active_sop(world.area)[0],
    )


def test_spec_10_transfer_waiting_for_approval_reminds_the_sending_supervisor_once(
    world: World,
) -> None:
    start = timezone.now()
    transfer = _pending_transfer(world, status="requested", at=start)
    # The default SOP's urgent answer time is 48 hours.
    assert notify_overdue_transfers(now=start + timedelta(hours=47)).notifications == 0
    later = start + timedelta(hours=49)
    assert notify_overdue_transfers(now=later).notifications == 1
    assert notify_overdue_transfers(now=later).notifications == 0
    note = Notification.objects.get(kind=Kind.TRANSFER_OVERDUE.value)
    assert note.user == world.users["bob"]
    assert note.dedupe_key == f"transfer-overdue:{transfer.pk}:approve"
    with translation.override("en"):
        assert notification_text(note).startswith(f"Case {transfer.case.case_number}:")


def test_spec_10_transfer_waiting_for_the_receiver_tells_it_nothing_of_the_case(
    world: World,
) -> None:
    start = timezone.now()
    transfer = _pending_transfer(world, status="approved", at=start)
    run = notify_overdue_transfers(now=start + timedelta(hours=49))
    assert run.notifications == 1
    note = Notification.objects.get(kind=Kind.TRANSFER_OVERDUE.value)
    assert note.user == world.users["dora"]
    assert transfer.case.case_number not in str(note.params)
    assert note.params["agency"] == "AGN-A"
