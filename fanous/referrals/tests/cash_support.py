"""Helpers of the emergency cash tests (SPEC §8): a budget, a registered case, a request."""

from __future__ import annotations

from datetime import date
from typing import Any

from fanous.conftest import ApiClient, World, local_today, ok, registered_case


def year_budget(world: World, amount: str = "5000.00", **extra: Any) -> dict[str, Any]:
    """The agency admin opens a budget covering today, in the SOP's currency (JOD)."""
    today = local_today()
    body = {
        "name": f"Emergency fund {today.year}",
        "currency": "JOD",
        "amount": amount,
        "starts_on": date(today.year, 1, 1).isoformat(),
        "ends_on": date(today.year, 12, 31).isoformat(),
        **extra,
    }
    return ok(world.api("adam").post("/cash/budgets", body), 201)


def cash_case(world: World, **child: Any) -> dict[str, Any]:
    """A registered case of alice's (supervised by bob)."""
    return registered_case(world.api("alice"), child=child or None)


def ask(api: ApiClient, case_id: str, amount: str, purpose: str = "transport", **extra: Any) -> Any:
    return api.post(
        "/cash/requests",
        {"case_id": case_id, "amount": amount, "purpose": purpose, "note": "أجرة الطريق", **extra},
    )


def approve(api: ApiClient, item: dict[str, Any], note: str = "") -> Any:
    return api.post(
        f"/cash/requests/{item['id']}/approve", {"version": item["version"], "note": note}
    )


def reject(api: ApiClient, item: dict[str, Any], note: str) -> Any:
    return api.post(
        f"/cash/requests/{item['id']}/reject", {"version": item["version"], "note": note}
    )


def given(world: World, case_id: str, amount: str, purpose: str = "transport") -> dict[str, Any]:
    """A disbursement requested by alice and approved by bob."""
    item = ok(ask(world.api("alice"), case_id, amount, purpose), 201)
    return ok(approve(world.api("bob"), item))
