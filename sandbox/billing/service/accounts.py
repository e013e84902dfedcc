"""Account settings the subscriber manages: stored payment methods, autopay, the gateway customer.

Only what the gateway gives back after a setup session is stored (token, brand, last 4, expiry): never a
card number. Removing the card autopay charges is refused while autopay is on (PAYMENT_METHOD_IN_USE),
so autopay is never silently switched off; otherwise the newest remaining card becomes the default.
"""

from __future__ import annotations

from typing import Any

from sandbox.billing.config import CARD_BRANDS
from sandbox.billing.service.account_reads import AccountReads
from sandbox.billing.store import method_dict
from sandbox.common import clock
from sandbox.common.http import conflict, invalid, not_found


class BillingAccounts(AccountReads):
    def payment_methods(self, subscriber_id: str) -> list[dict[str, Any]]:
        account = self.require_account(subscriber_id)
        rows = self.db.all(
            "SELECT * FROM payment_methods WHERE subscriber_id = ? ORDER BY seq DESC", (subscriber_id,)
        )
        return [method_dict(r, account["default_payment_method_id"]) for r in rows]

    def add_payment_method(
        self,
        subscriber_id: str,
        *,
        gateway_token: str,
        brand: str,
        last4: str,
        exp_month: int,
        exp_year: int,
        make_default: bool = False,
    ) -> tuple[dict[str, Any], bool]:
        """Store a card the gateway tokenized; the same token again returns the stored card (created=False)."""
        if brand not in CARD_BRANDS:
            raise invalid(f"`brand` must be one of {', '.join(CARD_BRANDS)}")
        if len(last4) != 4 or not last4.isdigit() or not last4.isascii():
            raise invalid("`last4` must be 4 digits")
        if not 1 <= exp_month <= 12:
            raise invalid("`exp_month` must be between 1 and 12")
        today = self.today()
        if (exp_year, exp_month) < (today.year, today.month) or exp_year > today.year + 50:
            raise invalid("the card has expired or its expiry is not plausible", "CARD_EXPIRED")
        with self.db.transaction():
            account = self.require_account(subscriber_id)
            existing = self.db.one("SELECT * FROM payment_methods WHERE gateway_token = ?", (gateway_token,))
            if existing is not None:
                if existing["subscriber_id"] != subscriber_id:
                    raise conflict("IDEMPOTENCY_CONFLICT", "this gateway token belongs to another subscriber")
                method_id, created = existing["id"], False
            else:
                seq = self.next_seq("payment_methods")
                method_id, created = f"pm_{seq:07d}", True
                self.db.execute(
                    "INSERT INTO payment_methods (id, seq, subscriber_id, gateway_token, brand, last4, exp_month,"
                    " exp_year, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        method_id,
                        seq,
                        subscriber_id,
                        gateway_token,
                        brand,
                        last4,
                        exp_month,
                        exp_year,
                        clock.iso(clock.now()),
                    ),
                )
            if make_default or account["default_payment_method_id"] is None:
                self._set_default(subscriber_id, method_id)
            return self._method(subscriber_id, method_id), created

    def remove_payment_method(self, subscriber_id: str, method_id: str) -> list[dict[str, Any]]:
        with self.db.transaction():
            account = self.require_account(subscriber_id)
            self._require_method(subscriber_id, method_id)
            if account["default_payment_method_id"] == method_id:
                if account["autopay"]:
                    raise conflict(
                        "PAYMENT_METHOD_IN_USE",
                        "autopay charges this card: turn autopay off or choose another default",
                    )
                newest = self.db.scalar(
                    "SELECT id FROM payment_methods WHERE subscriber_id = ? AND id != ? ORDER BY seq DESC LIMIT 1",
                    (subscriber_id, method_id),
                )
                self._set_default(subscriber_id, newest)
            self.db.execute("DELETE FROM payment_methods WHERE id = ?", (method_id,))
        return self.payment_methods(subscriber_id)

    def set_default_payment_method(self, subscriber_id: str, method_id: str) -> list[dict[str, Any]]:
        with self.db.transaction():
            self.require_account(subscriber_id)
            self._require_method(subscriber_id, method_id)
            self._set_default(subscriber_id, method_id)
        return self.payment_methods(subscriber_id)

    def set_autopay(self, subscriber_id: str, enabled: bool) -> dict[str, Any]:
        with self.db.transaction():
            account = self.require_account(subscriber_id)
            if enabled and account["default_payment_method_id"] is None:
                raise conflict("AUTOPAY_REQUIRES_CARD", "add a card before turning autopay on")
            self.db.execute(
                "UPDATE accounts SET autopay = ? WHERE subscriber_id = ?", (int(enabled), subscriber_id)
            )
        return self.account(subscriber_id)

    def set_gateway_customer(self, subscriber_id: str, gateway_customer_id: str) -> dict[str, Any]:
        with self.db.transaction():
            self.require_account(subscriber_id)
            self.db.execute(
                "UPDATE accounts SET gateway_customer_id = ? WHERE subscriber_id = ?",
                (gateway_customer_id, subscriber_id),
            )
        return self.account(subscriber_id)

    def _require_method(self, subscriber_id: str, method_id: str) -> Any:
        row = self.db.one(
            "SELECT * FROM payment_methods WHERE id = ? AND subscriber_id = ?", (method_id, subscriber_id)
        )
        if row is None:
            raise not_found("payment method")
        return row

    def _method(self, subscriber_id: str, method_id: str) -> dict[str, Any]:
        default = self.db.scalar(
            "SELECT default_payment_method_id FROM accounts WHERE subscriber_id = ?", (subscriber_id,)
        )
        return method_dict(self._require_method(subscriber_id, method_id), default)

    def _set_default(self, subscriber_id: str, method_id: str | None) -> None:
        self.db.execute(
            "UPDATE accounts SET default_payment_method_id = ? WHERE subscriber_id = ?",
            (method_id, subscriber_id),
        )
