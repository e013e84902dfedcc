"""`adapters.decode`: bytes straight into the ports' records, and every way an answer can be wrong becoming a
ContractViolation that names the backend, the request and the field."""

from __future__ import annotations

import gc
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import msgspec
import pytest

from adapters.decode import Items, decode
from adapters.errors import ContractViolation
from adapters.ports.billing import SubServiceBilling
from adapters.ports.money import Money
from adapters.ports.oss import Usage

RECORD: dict[str, Any] = {
    "subservice_id": "SS-1",
    "subscriber_id": "SUB-1",
    "description": "Fibre 500",
    "monthly_charge": {"amount": "59.99", "currency": "USD"},
    "charge_lines": [{"description": "Fibre 500", "amount": {"amount": "59.99", "currency": "USD"}}],
    "outstanding": {"amount": "0.00", "currency": "USD"},
    "cycle": {"period_start": "2026-11-01", "period_end": "2026-11-30", "next_invoice_on": "2026-12-01"},
    "next_invoice_on": "2026-12-01",
    "open_invoice_ids": [],
    "prepaid": False,
    "expires_at": None,
}


def body(**changes: Any) -> bytes:
    return json.dumps({"items": [{**RECORD, **changes}]}).encode()


def billing(raw: bytes) -> list[SubServiceBilling]:
    return decode("billing", raw, Items[SubServiceBilling], "POST /v1/subservice-billing:batch").items


def test_a_record_decodes_with_exact_money_dates_and_tuples() -> None:
    [record] = billing(body(expires_at="2026-12-31T23:00:00Z"))
    assert record.monthly_charge == Money(Decimal("59.99"), "USD")
    assert str(record.outstanding.amount) == "0.00"
    assert record.cycle is not None and record.cycle.period_end == date(2026, 11, 30)
    assert record.charge_lines[0].amount.amount == Decimal("59.99") and record.open_invoice_ids == ()
    assert record.expires_at == datetime(2026, 12, 31, 23, tzinfo=UTC) and record.expires_at.tzinfo is UTC


def test_nullable_fields_may_also_be_absent() -> None:
    raw = {k: v for k, v in RECORD.items() if k not in ("cycle", "next_invoice_on", "expires_at")}
    [record] = billing(json.dumps({"items": [raw]}).encode())
    assert (record.cycle, record.next_invoice_on, record.expires_at) == (None, None, None)


def test_wire_names_differ_from_attribute_names_where_the_port_says_so() -> None:
    raw = {
        "subservice_id": "SS-1",
        "from": "2026-11-01",
        "to": "2026-11-02",
        "download_bytes": 3,
        "upload_bytes": 1,
        "days": [{"date": "2026-11-01", "download_bytes": 3, "upload_bytes": 1}],
    }
    usage = decode("oss", json.dumps(raw).encode(), Usage, "GET usage")
    assert (usage.start, usage.end, usage.days[0].day) == (
        date(2026, 11, 1),
        date(2026, 11, 2),
        date(2026, 11, 1),
    )


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (body(subscriber_id=7), "Expected `str`, got `int` - at `$.items[0].subscriber_id`"),
        (body(prepaid="no"), "Expected `bool`, got `str` - at `$.items[0].prepaid`"),
        (body(monthly_charge={"amount": "lots", "currency": "USD"}), "at `$.items[0].monthly_charge.amount`"),
        (body(monthly_charge={"amount": "NaN", "currency": "USD"}), "finite decimal amount - at `$.items[0]"),
        (body(monthly_charge={"amount": "-Infinity", "currency": "USD"}), "finite decimal amount"),
        (body(monthly_charge={"amount": True, "currency": "USD"}), "at `$.items[0].monthly_charge.amount`"),
        (body(monthly_charge={"currency": "USD"}), "missing required field `amount`"),
        (body(expires_at="2026-12-31T23:00:00"), "timezone component - at `$.items[0].expires_at`"),
        (body(expires_at="tomorrow"), "at `$.items[0].expires_at`"),
        (body(next_invoice_on="2026-13-01"), "at `$.items[0].next_invoice_on`"),
        (body(charge_lines=[{"description": "x"}]), "`amount` - at `$.items[0].charge_lines[0]`"),
        (body(open_invoice_ids=[1]), "at `$.items[0].open_invoice_ids[0]`"),
        (body(charge_lines=None), "got `null` - at `$.items[0].charge_lines`"),
        (json.dumps({"items": [{k: v for k, v in RECORD.items() if k != "prepaid"}]}).encode(), "`prepaid`"),
        (json.dumps({"items": {}}).encode(), "at `$.items`"),
    ],
)
def test_a_wrong_answer_is_a_contract_violation_naming_the_field(raw: bytes, says: str) -> None:
    with pytest.raises(ContractViolation) as violation:
        billing(raw)
    assert str(violation.value).startswith("billing: POST /v1/subservice-billing:batch: ")
    assert says in str(violation.value)


@pytest.mark.parametrize("raw", [b"", b"<html>", b"{truncated", b'{"items": [}', b"\xff\xfe", b"[]", b"null"])
def test_what_is_not_a_json_answer_is_a_contract_violation(raw: bytes) -> None:
    with pytest.raises(ContractViolation):
        billing(raw)


def test_an_amount_sent_as_a_json_number_is_read_from_its_digits_not_through_a_float() -> None:
    [record] = billing(body(monthly_charge={"amount": 0.1, "currency": "USD"}))
    assert record.monthly_charge.amount == Decimal("0.1")


def test_records_are_frozen_untracked_by_the_collector_and_replaceable() -> None:
    [record] = billing(body())
    with pytest.raises(AttributeError):
        record.prepaid = True  # type: ignore[misc]
    assert not gc.is_tracked(record) and not gc.is_tracked(record.monthly_charge)
    changed = msgspec.structs.replace(record, prepaid=True)
    assert changed.prepaid and not record.prepaid and changed.monthly_charge == record.monthly_charge
