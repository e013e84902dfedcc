"""Wallet operations: credits (top-ups, promos, compensation), gift cards and prepaid renewals.

Every change is a ledger entry; the balance is the ledger's sum. Operations a client may retry are keyed
(top-up by the gateway's reference, renewal by an idempotency key) and replay their first result.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from sandbox.billing.config import CREDIT_KINDS
from sandbox.billing.service.account_reads import AccountReads
from sandbox.billing.service.cycle import add_months_dt
from sandbox.billing.store import entry_dict, gift_card_dict
from sandbox.common import clock
from sandbox.common.http import ApiError, conflict, invalid, money, not_found


class BillingWallet(AccountReads):
    def _entry(self, entry_id: str, currency: str) -> dict[str, Any]:
        return entry_dict(self.db.one("SELECT * FROM wallet_entries WHERE id = ?", (entry_id,)), currency)

    def credit_wallet(
        self,
        subscriber_id: str,
        kind: str,
        credit: Decimal,
        description: str,
        external_ref: str | None = None,
    ) -> tuple[dict[str, Any], bool]:
        """Add `credit` (in the account's currency) to the wallet; with `external_ref`, at most once per
        reference. Returns (result, created)."""
        if kind not in CREDIT_KINDS:
            raise invalid(f"`kind` must be one of {', '.join(CREDIT_KINDS)}")
        key = f"wallet-credit:{external_ref}" if external_ref else None
        with self.db.transaction():
            # The account's currency says what the amount means, so it is read before the replay check.
            account = self.require_account(subscriber_id)
            amount = self.minor_units(credit, account["currency"])
            request = {"subscriber_id": subscriber_id, "kind": kind, "amount": amount}
            if key:
                previous = self.replay(key, request)
                if previous is not None:
                    return {**previous, "duplicate": True}, False
            if amount <= 0:
                raise invalid("`amount` must be more than zero", "AMOUNT_INVALID")
            entry_id = self.add_wallet_entry(subscriber_id, kind, amount, description, reference=key)
            result = {
                "entry": self._entry(entry_id, account["currency"]),
                "wallet_balance": money(self.wallet_minor(subscriber_id), account["currency"]),
            }
            if key:
                self.remember(key, request, result)
            return {**result, "duplicate": False}, True

    def redeem_gift_card(self, subscriber_id: str, code: str) -> dict[str, Any]:
        normalized = code.strip().upper()
        with self.db.transaction():
            account = self.require_account(subscriber_id)
            card = self.db.one("SELECT * FROM gift_cards WHERE code = ?", (normalized,))
            if card is None or card["currency"] != account["currency"]:
                raise invalid("no gift card has this code", "GIFT_CARD_INVALID")
            if card["redeemed_by"] is not None:
                raise conflict("GIFT_CARD_ALREADY_USED", "this gift card was already redeemed")
            self.db.execute(
                "UPDATE gift_cards SET redeemed_by = ?, redeemed_at = ? WHERE code = ?",
                (subscriber_id, clock.iso(clock.now()), normalized),
            )
            entry_id = self.add_wallet_entry(
                subscriber_id,
                "GIFT_CARD",
                card["value"],
                f"Gift card {normalized}",
                reference=f"gift-card:{normalized}",
            )
            return {
                "code": normalized,
                "value": money(card["value"], card["currency"]),
                "entry": self._entry(entry_id, account["currency"]),
                "wallet_balance": money(self.wallet_minor(subscriber_id), account["currency"]),
            }

    def renew(self, subservice_id: str, idempotency_key: str) -> tuple[dict[str, Any], bool]:
        """Pay the next month of a prepaid sub-service from the wallet and extend its expiry by a month."""
        key = f"renew:{idempotency_key}"
        request = {"subservice_id": subservice_id}
        with self.db.transaction():
            previous = self.replay(key, request)
            if previous is not None:
                return {**previous, "duplicate": True}, False
            charge = self.db.one(
                "SELECT c.*, a.currency FROM charges c JOIN accounts a USING (subscriber_id) WHERE subservice_id = ?",
                (subservice_id,),
            )
            if charge is None:
                raise not_found("sub-service")
            if not charge["prepaid"]:
                raise conflict("NOT_PREPAID", "only prepaid sub-services are renewed")
            price = self.monthly_charge_minor(subservice_id)
            subscriber_id = charge["subscriber_id"]
            if self.wallet_minor(subscriber_id) < price:
                raise conflict("INSUFFICIENT_BALANCE", "the wallet balance does not cover the renewal")
            # An expired service restarts from today; a live one is extended from its current expiry.
            start_of_today = datetime.combine(self.today(), time(0), tzinfo=UTC)
            current = clock.parse_iso(charge["expires_at"]) if charge["expires_at"] else start_of_today
            expires = add_months_dt(max(current, start_of_today), 1)
            self.db.execute(
                "UPDATE charges SET expires_at = ? WHERE subservice_id = ?",
                (clock.iso(expires), subservice_id),
            )
            entry_id = self.add_wallet_entry(
                subscriber_id,
                "RENEWAL",
                -price,
                f"Renewal of {charge['description']} until {expires.date().isoformat()}",
                reference=key,
                subservice_id=subservice_id,
            )
            result = {
                "subservice_id": subservice_id,
                "expires_at": clock.iso(expires),
                "charged": money(price, charge["currency"]),
                "entry": self._entry(entry_id, charge["currency"]),
                "wallet_balance": money(self.wallet_minor(subscriber_id), charge["currency"]),
            }
            self.remember(key, request, result)
            return {**result, "duplicate": False}, True

    # ---- operator: gift cards -------------------------------------------------------------------------
    def create_gift_card(self, face_value: Decimal, code: str | None = None) -> dict[str, Any]:
        """A gift card worth `face_value` in the sandbox's currency (it redeems only on accounts in it)."""
        value = self.minor_units(face_value, self.currency, "value")
        if value <= 0:
            raise invalid("`value` must be more than zero", "AMOUNT_INVALID")
        code = (code or f"WG-{secrets.token_hex(4).upper()}").strip().upper()
        with self.db.transaction():
            if self.db.one("SELECT 1 FROM gift_cards WHERE code = ?", (code,)):
                raise conflict("GIFT_CARD_EXISTS", "a gift card with this code exists")
            self.db.execute(
                "INSERT INTO gift_cards (code, value, currency, created_at) VALUES (?, ?, ?, ?)",
                (code, value, self.currency, clock.iso(clock.now())),
            )
        return self.gift_card(code)

    def gift_card(self, code: str) -> dict[str, Any]:
        row = self.db.one("SELECT * FROM gift_cards WHERE code = ?", (code,))
        if row is None:
            raise ApiError(404, "NOT_FOUND", "gift card not found")
        return gift_card_dict(row)

    def gift_cards(self) -> list[dict[str, Any]]:
        return [
            gift_card_dict(r) for r in self.db.all("SELECT * FROM gift_cards ORDER BY created_at DESC, code")
        ]
