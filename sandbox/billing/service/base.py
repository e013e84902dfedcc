"""State and helpers every part of Billing's service shares (the mixins in this package build on it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from adapters.brand import DEFAULT_BRAND, Brand
from sandbox.billing.config import DUNNING_RETRY_DAYS
from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.common.http import ApiError, conflict, invalid, money, not_found
from sandbox.common.money import InexactAmount, exponent, to_minor
from sandbox.common.peers import CardCharger, ServiceControl


class BillingBase:
    """What every operation needs: the database, the outbox, the system's currency, the day, the peers."""

    def __init__(
        self,
        db: Database,
        outbox: EventOutbox,
        *,
        currency: str,
        today: Callable[[], date],
        service_control: ServiceControl | None = None,
        card_charger: CardCharger | None = None,
        brand: Brand = DEFAULT_BRAND,
        dunning_retry_days: tuple[int, ...] = DUNNING_RETRY_DAYS,
    ) -> None:
        self.db = db
        self.outbox = outbox
        self.currency = currency  # of what the operator creates (gift cards); accounts carry their own
        self._today = today
        self.service_control = service_control
        self.card_charger = card_charger
        self.brand = brand  # the operator's, on the documents (`documents.py`)
        self.dunning_retry_days = dunning_retry_days  # validated by whoever configures it (`dunning.py`)

    def today(self) -> date:
        return self._today()

    def minor_units(self, amount: Decimal, currency: str, key: str = "amount") -> int:
        """A requested amount in the minor units of the currency it is in (the invoice's, the account's);
        AMOUNT_INVALID when it is finer than they are (29.99 JPY, 1.2345 KWD)."""
        try:
            return to_minor(amount, currency)
        except InexactAmount:
            places = exponent(currency)
            decimals = "no decimals" if places == 0 else f"at most {places} decimals"
            raise invalid(f"`{key}` takes {decimals} in {currency}", "AMOUNT_INVALID") from None

    def next_seq(self, table: str) -> int:
        # Only called inside a transaction, so two writers never get the same number.
        return int(self.db.scalar(f"SELECT COALESCE(MAX(seq), 0) + 1 FROM {table}"))

    def require_account(self, subscriber_id: str) -> Any:
        row = self.db.one("SELECT * FROM accounts WHERE subscriber_id = ?", (subscriber_id,))
        if row is None:
            raise not_found("billing account")
        return row

    def require_invoice(self, invoice_id: str) -> Any:
        row = self.db.one("SELECT * FROM invoices WHERE id = ?", (invoice_id,))
        if row is None:
            raise not_found("invoice")
        return row

    def wallet_minor(self, subscriber_id: str) -> int:
        return int(
            self.db.scalar(
                "SELECT COALESCE(SUM(amount), 0) FROM wallet_entries WHERE subscriber_id = ?",
                (subscriber_id,),
            )
        )

    def add_wallet_entry(
        self,
        subscriber_id: str,
        kind: str,
        amount: int,
        description: str,
        *,
        reference: str | None = None,
        invoice_id: str | None = None,
        subservice_id: str | None = None,
    ) -> str:
        """Append to the ledger and emit wallet.changed; call inside a transaction."""
        seq = self.next_seq("wallet_entries")
        entry_id = f"wtx_{seq:07d}"
        self.db.execute(
            "INSERT INTO wallet_entries (id, seq, subscriber_id, kind, amount, description, reference, invoice_id,"
            " subservice_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                entry_id,
                seq,
                subscriber_id,
                kind,
                amount,
                description,
                reference,
                invoice_id,
                subservice_id,
                clock.iso(clock.now()),
            ),
        )
        balance = self.wallet_minor(subscriber_id)
        self.outbox.emit(
            "wallet.changed",
            subscriber_id=subscriber_id,
            subservice_id=subservice_id,
            data={
                "entry_id": entry_id,
                "kind": kind,
                "description": description,
                "amount": money(amount, self.currency),
                "balance": money(balance, self.currency),
            },
        )
        return entry_id

    # Idempotency for operations without a natural unique row: the first result is stored under the key
    # together with a fingerprint of the request; a replay returns it, a different request is refused.
    def replay(self, key: str, fingerprint: dict[str, Any]) -> dict[str, Any] | None:
        row = self.db.one("SELECT fingerprint, result FROM idempotency WHERE key = ?", (key,))
        if row is None:
            return None
        if row["fingerprint"] != canonical(fingerprint):
            raise idempotency_conflict()
        result: dict[str, Any] = json.loads(row["result"])
        return result

    def remember(self, key: str, fingerprint: dict[str, Any], result: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO idempotency (key, fingerprint, result) VALUES (?, ?, ?)",
            (key, canonical(fingerprint), json.dumps(result)),
        )


def canonical(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def idempotency_conflict() -> ApiError:
    return conflict("IDEMPOTENCY_CONFLICT", "this key was already used for a different request")
