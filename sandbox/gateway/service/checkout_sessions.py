"""Creating and expiring Checkout Sessions (payment or setup mode) with Stripe's parameter rules; paying one
on its hosted page is `hosted_flow.py`.

Parameters are checked in the order Stripe's errors name them, so the first problem is the one reported.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from sandbox.gateway.config import MAX_SESSION_TOTAL, MIN_SESSION_TTL_S, SESSION_TTL_S
from sandbox.gateway.errors import StripeError, invalid, missing, no_such
from sandbox.gateway.form import Params
from sandbox.gateway.service import currency
from sandbox.gateway.service.base import new_id
from sandbox.gateway.service.reads import GatewayReads

SESSION_PARAMS = (
    "mode",
    "customer",
    "customer_email",
    "customer_creation",
    "client_reference_id",
    "metadata",
    "success_url",
    "cancel_url",
    "line_items",
    "payment_intent_data",
    "setup_intent_data",
    "currency",
    "expires_at",
    "payment_method_types",
    "locale",
    "submit_type",
)


@dataclass
class SessionDraft:
    """A session's checked parameters, before it is stored."""

    mode: str
    success_url: str
    cancel_url: str | None
    customer: str | None
    customer_email: str | None
    customer_creation: str | None
    currency: str | None
    created: int
    expires_at: int
    items: list[dict[str, Any]] = field(default_factory=list)
    total: int | None = None
    intent_data: dict[str, Any] = field(default_factory=dict)


def url_param(p: Params, key: str, *, required: bool) -> str | None:
    value = p.string(key, required=required, max_len=5000)
    if value is None:
        return None
    parts = urlsplit(value.replace("{CHECKOUT_SESSION_ID}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(p.name(key), f"Not a valid URL: {p.name(key)} must be an http(s) URL.", "url_invalid")
    return value


def check_card_only(p: Params) -> None:
    for method_type in p.strings("payment_method_types"):
        if method_type != "card":
            raise invalid(
                "payment_method_types", f"The payment method type provided: {method_type} is invalid."
            )


def _expires_at(p: Params, now: int) -> int:
    expires_at = p.integer("expires_at", low=0, high=2**40)
    if expires_at is None:
        return now + SESSION_TTL_S
    if not now + MIN_SESSION_TTL_S <= expires_at <= now + SESSION_TTL_S:
        raise invalid("expires_at", "expires_at must be between 30 minutes and 24 hours from now.")
    return expires_at


def _currency_param(p: Params, key: str, *, required: bool) -> str | None:
    value = p.required(key, max_len=3) if required else p.string(key, max_len=3)
    if value is None:
        return None
    code = value.lower()
    if not currency.valid(code):
        raise invalid(p.name(key), f"Invalid currency: {code}.")
    return code


def _line_item(entry: Params) -> dict[str, Any]:
    entry.only(("price_data", "quantity", "price"))
    if entry.has("price"):
        raise invalid(entry.name("price"), "Prices are not stored by this sandbox: use price_data.")
    price = entry.obj("price_data")
    if price is None:
        raise missing(entry.name("price_data"))
    price.only(("currency", "unit_amount", "product_data"))
    item_currency = _currency_param(price, "currency", required=True)
    unit_amount = price.integer("unit_amount", required=True, low=0)
    product = price.obj("product_data")
    if product is None:
        raise missing(price.name("product_data"))
    product.only(("name", "description"))
    quantity = entry.integer("quantity", required=True, low=1, high=999_999)
    assert unit_amount is not None and quantity is not None
    return {
        "currency": item_currency,
        "unit_amount": unit_amount,
        "quantity": quantity,
        "name": product.required("name", max_len=250),
        "description": product.string("description", max_len=500),
    }


def line_items_param(p: Params) -> list[dict[str, Any]]:
    entries = p.items("line_items")
    if not entries:
        raise missing("line_items")
    items = [_line_item(entry) for entry in entries]
    if len({i["currency"] for i in items}) > 1:
        raise invalid("line_items", "All line items must use the same currency.")
    return items


def _payment_terms(p: Params, draft: SessionDraft) -> None:
    """Payment mode: the line items, their currency and total (within Stripe's bounds), the intent data."""
    if p.obj("setup_intent_data"):
        raise invalid("setup_intent_data", "setup_intent_data can only be used in setup mode.")
    draft.items = line_items_param(p)
    item_currency = draft.items[0]["currency"]
    if draft.currency not in (None, item_currency):
        raise invalid("currency", "currency must match the currency of the line items.")
    draft.currency = item_currency
    draft.total = sum(i["unit_amount"] * i["quantity"] for i in draft.items)
    minimum = currency.minimum(item_currency)
    if draft.total < minimum:
        raise StripeError(
            400,
            "The Checkout Session's total amount due must add up to at least"
            f" {currency.display(minimum, item_currency)} {item_currency}",
            code="amount_too_small",
            param="line_items",
        )
    if draft.total > MAX_SESSION_TOTAL:
        raise StripeError(
            400,
            f"Amount must be no more than {MAX_SESSION_TOTAL:,}.",
            code="amount_too_large",
            param="line_items",
        )
    data = p.obj("payment_intent_data")
    if data:
        data.only(("metadata", "description", "setup_future_usage"))
        draft.intent_data = {
            "metadata": data.metadata(),
            "description": data.string("description", max_len=1000),
            "setup_future_usage": data.enum("setup_future_usage", ("on_session", "off_session")),
        }


def _setup_terms(p: Params, draft: SessionDraft) -> None:
    """Setup mode: no line items and no payment; optional setup intent data."""
    if p.raw.get("line_items"):
        raise invalid("line_items", "line_items cannot be used in setup mode.")
    if p.obj("payment_intent_data"):
        raise invalid("payment_intent_data", "payment_intent_data can only be used in payment mode.")
    data = p.obj("setup_intent_data")
    if data:
        data.only(("metadata", "description"))
        draft.intent_data = {
            "metadata": data.metadata(),
            "description": data.string("description", max_len=1000),
        }


class CheckoutSessions(GatewayReads):
    def create_checkout_session(self, p: Params) -> dict[str, Any]:
        p.only(SESSION_PARAMS)
        mode = p.enum("mode", ("payment", "setup", "subscription"), required=True)
        if mode == "subscription":
            raise invalid("mode", "This sandbox supports Checkout Sessions in payment and setup mode only.")
        assert mode is not None
        success_url = url_param(p, "success_url", required=True)
        assert success_url is not None
        cancel_url = url_param(p, "cancel_url", required=False)
        customer, customer_email, customer_creation = self._session_customer(p, mode)
        check_card_only(p)
        p.string("locale", max_len=10)
        p.enum("submit_type", ("auto", "pay", "book", "donate"))
        now = self.now()
        draft = SessionDraft(
            mode=mode,
            success_url=success_url,
            cancel_url=cancel_url,
            customer=customer,
            customer_email=customer_email,
            customer_creation=customer_creation,
            created=now,
            expires_at=_expires_at(p, now),
            currency=_currency_param(p, "currency", required=False),
        )
        if mode == "payment":
            _payment_terms(p, draft)
        else:
            _setup_terms(p, draft)
        with self.db.transaction():
            return self.checkout_session(self._insert_session(p, draft))

    def _session_customer(self, p: Params, mode: str) -> tuple[str | None, str | None, str | None]:
        """(customer, customer_email, customer_creation): an existing customer, or what to create one from."""
        customer = p.string("customer", max_len=255)
        if customer is not None:
            self._row("customers", customer, "customer", "customer")
        customer_email = p.string("customer_email", max_len=512)
        if customer and customer_email:
            raise invalid(
                "customer_email", "You may only specify one of these parameters: customer, customer_email."
            )
        customer_creation = p.enum("customer_creation", ("if_required", "always"))
        if customer_creation and (mode != "payment" or customer):
            raise invalid(
                "customer_creation", "customer_creation can only be used in payment mode without customer."
            )
        return customer, customer_email, customer_creation

    def _insert_session(self, p: Params, draft: SessionDraft) -> str:
        session_id = new_id("cs_test_", 58)
        self.db.execute(
            "INSERT INTO checkout_sessions (id, mode, status, payment_status, customer, customer_email,"
            " customer_creation, client_reference_id, metadata, success_url, cancel_url, currency,"
            " amount_subtotal, amount_total, line_items, intent_data, created, expires_at)"
            " VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                draft.mode,
                "unpaid" if draft.mode == "payment" else "no_payment_required",
                draft.customer,
                draft.customer_email,
                draft.customer_creation,
                p.string("client_reference_id", max_len=200),
                json.dumps(p.metadata()),
                draft.success_url,
                draft.cancel_url,
                draft.currency,
                draft.total,
                draft.total,
                json.dumps(draft.items),
                json.dumps(draft.intent_data),
                draft.created,
                draft.expires_at,
            ),
        )
        return session_id

    def expire_checkout_session(self, session_id: str) -> dict[str, Any]:
        with self.db.transaction():
            row = self.session_row(session_id)
            if row is None:
                raise no_such("checkout.session", session_id)
            if row["status"] != "open":
                raise StripeError(
                    400,
                    f"Only Checkout Sessions with a status of open can be expired. This Checkout Session has a"
                    f" status of {row['status']}.",
                )
            return self._render_session(self._expire(row))
