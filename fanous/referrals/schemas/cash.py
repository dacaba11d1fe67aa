"""API schemas of the emergency cash endpoints (SPEC §8). Amounts are decimals, sent and
returned as strings with two decimals (never floats); the services check the rules."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import Field, PlainSerializer, StringConstraints

# Out: a string with exactly two decimals (SQLite returns sums unscaled).
Money = Annotated[
    Decimal, PlainSerializer(lambda d: str(Decimal(d).quantize(Decimal("0.01"))), return_type=str)
]
Amount = Annotated[Decimal, Field(le=Decimal("9999999999.99"), allow_inf_nan=False)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]
Note = Annotated[str, StringConstraints(max_length=2000)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_.]{0,63}$")]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class BudgetCreateIn(Schema):
    id: UUID | None = None
    name: Name
    currency: Currency
    amount: Amount
    starts_on: date
    ends_on: date


class BudgetPatchIn(Schema):
    version: int = Field(ge=1)
    name: Name | None = None
    amount: Amount | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_active: bool | None = None


class BudgetOut(Schema):
    id: UUID
    version: int
    name: str
    currency: str
    amount: Money
    starts_on: date
    ends_on: date
    is_active: bool
    approved: Money
    pending: Money
    balance: Money


class CashRequestIn(Schema):
    id: UUID | None = None
    case_id: UUID
    budget_id: UUID | None = None
    amount: Amount
    purpose: Code
    note: Note = ""


class CashDecisionIn(Schema):
    version: int = Field(ge=1)
    note: Note = ""


class CashOut(Schema):
    id: UUID
    version: int
    case_id: UUID
    budget_id: UUID
    amount: Money
    currency: str
    purpose: str
    note: str
    status: str
    requested_by: str
    requested_at: datetime
    decided_by: str | None
    decided_at: datetime | None
    decision_note: str
    sop_version: str


class PendingCashOut(CashOut):
    case_number: str
    budget_balance: Money
    balance_after: Money
    case_total: Money


class CaseCashOut(Schema):
    case_id: UUID
    currency: str
    max_per_disbursement: Money
    max_per_case: Money
    approved: Money
    pending: Money
    left_for_case: Money
    items: list[CashOut]
