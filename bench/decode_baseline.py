"""What `bench/decode.py` measures msgspec against: the two alternatives that were weighed.

- `hand_written`: the adapters' decoding before msgspec (commit 3060ddc): stdlib `json.loads`, then
  `wire.Fields` accessors and one `parse_*` function per record building frozen slotted dataclasses. Trimmed
  to the two answers the benchmark decodes; the checks are the ones the adapters made.
- `pydantic`: a `TypeAdapter` over the same dataclasses, validating straight from the bytes.

Benchmark code only: nothing in the product imports it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, TypeVar

T = TypeVar("T")

InvoiceStatus = Literal["OPEN", "PAID", "OVERDUE", "VOID"]


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Cycle:
    period_start: date
    period_end: date
    next_invoice_on: date


@dataclass(frozen=True, slots=True)
class ChargeLine:
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class SubServiceBilling:
    subservice_id: str
    subscriber_id: str
    description: str
    monthly_charge: Money
    charge_lines: tuple[ChargeLine, ...]
    outstanding: Money
    cycle: Cycle | None
    next_invoice_on: date | None
    open_invoice_ids: tuple[str, ...]
    prepaid: bool
    expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    subservice_id: str | None
    description: str
    amount: Money


@dataclass(frozen=True, slots=True)
class Invoice:
    id: str
    number: str
    subscriber_id: str
    subservice_id: str | None
    status: InvoiceStatus
    issued_on: date
    due_on: date
    period_start: date
    period_end: date
    total: Money
    amount_paid: Money
    balance: Money
    lines: tuple[InvoiceLine, ...]
    subservice_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SubServiceBillingItems:
    items: list[SubServiceBilling]


@dataclass(frozen=True, slots=True)
class InvoiceItems:
    items: list[Invoice]


class Violation(Exception):
    pass


class Fields:
    """`adapters/wispgate/wire.py` as it was, without the accessors these two answers do not use."""

    def __init__(self, raw: object, where: str = "body") -> None:
        if not isinstance(raw, dict):
            raise Violation(f"{where} is not an object")
        self.raw: dict[str, Any] = raw
        self.where = where

    def _get(self, key: str, optional: bool) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if optional:
                return None
            raise Violation(f"{self.where}.{key}: expected a value")
        return self.raw[key]

    def text(self, key: str) -> str:
        value = self._get(key, False)
        if not isinstance(value, str):
            raise Violation(key)
        return value

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, True)
        if value is not None and not isinstance(value, str):
            raise Violation(key)
        return value

    def flag(self, key: str) -> bool:
        value = self._get(key, False)
        if not isinstance(value, bool):
            raise Violation(key)
        return value

    def decimal(self, key: str) -> Decimal:
        value = self._get(key, False)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise Violation(key)
        try:
            parsed = Decimal(str(value))
        except InvalidOperation:
            raise Violation(key) from None
        if not parsed.is_finite():
            raise Violation(key)
        return parsed

    def moment(self, key: str) -> datetime:
        try:
            parsed = datetime.fromisoformat(self.text(key).replace("Z", "+00:00"))
        except ValueError:
            raise Violation(key) from None
        if parsed.tzinfo is None:
            raise Violation(key)
        return parsed.astimezone(UTC)

    def opt_moment(self, key: str) -> datetime | None:
        return None if self._get(key, True) is None else self.moment(key)

    def day(self, key: str) -> date:
        try:
            return date.fromisoformat(self.text(key))
        except ValueError:
            raise Violation(key) from None

    def opt_day(self, key: str) -> date | None:
        return None if self._get(key, True) is None else self.day(key)

    def enum(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.text(key)
        if value not in allowed:
            raise Violation(key)
        return value

    def obj(self, key: str) -> Fields:
        return Fields(self._get(key, False), f"{self.where}.{key}")

    def opt_obj(self, key: str) -> Fields | None:
        return None if self._get(key, True) is None else self.obj(key)

    def objects(self, key: str, parse: Callable[[Fields], T]) -> list[T]:
        value = self._get(key, False)
        if not isinstance(value, list):
            raise Violation(key)
        return [parse(Fields(item, f"{self.where}.{key}[{i}]")) for i, item in enumerate(value)]

    def texts(self, key: str) -> list[str]:
        value = self._get(key, False)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Violation(key)
        return list(value)


def parse_money(f: Fields) -> Money:
    return Money(f.decimal("amount"), f.text("currency"))


def parse_cycle(f: Fields) -> Cycle:
    return Cycle(f.day("period_start"), f.day("period_end"), f.day("next_invoice_on"))


def parse_charge_line(f: Fields) -> ChargeLine:
    return ChargeLine(f.text("description"), parse_money(f.obj("amount")))


def parse_subservice_billing(f: Fields) -> SubServiceBilling:
    cycle = f.opt_obj("cycle")
    return SubServiceBilling(
        subservice_id=f.text("subservice_id"),
        subscriber_id=f.text("subscriber_id"),
        description=f.text("description"),
        monthly_charge=parse_money(f.obj("monthly_charge")),
        charge_lines=tuple(f.objects("charge_lines", parse_charge_line)),
        outstanding=parse_money(f.obj("outstanding")),
        cycle=parse_cycle(cycle) if cycle is not None else None,
        next_invoice_on=f.opt_day("next_invoice_on"),
        open_invoice_ids=tuple(f.texts("open_invoice_ids")),
        prepaid=f.flag("prepaid"),
        expires_at=f.opt_moment("expires_at"),
    )


def parse_line(f: Fields) -> InvoiceLine:
    return InvoiceLine(f.opt_text("subservice_id"), f.text("description"), parse_money(f.obj("amount")))


def parse_invoice(f: Fields) -> Invoice:
    return Invoice(
        id=f.text("id"),
        number=f.text("number"),
        subscriber_id=f.text("subscriber_id"),
        subservice_id=f.opt_text("subservice_id"),
        status=f.enum("status", ("OPEN", "PAID", "OVERDUE", "VOID")),  # type: ignore[arg-type]
        issued_on=f.day("issued_on"),
        due_on=f.day("due_on"),
        period_start=f.day("period_start"),
        period_end=f.day("period_end"),
        total=parse_money(f.obj("total")),
        amount_paid=parse_money(f.obj("amount_paid")),
        balance=parse_money(f.obj("balance")),
        lines=tuple(f.objects("lines", parse_line)),
        subservice_ids=tuple(f.texts("subservice_ids")),
    )


def hand_written(parse: Callable[[Fields], T]) -> Callable[[bytes], list[T]]:
    def decode(body: bytes) -> list[T]:
        return Fields(json.loads(body)).objects("items", parse)

    return decode


def pydantic(envelope: type[Any]) -> Callable[[bytes], list[Any]]:
    from pydantic import TypeAdapter

    adapter = TypeAdapter(envelope)

    def decode(body: bytes) -> list[Any]:
        items: list[Any] = adapter.validate_json(body).items
        return items

    return decode
