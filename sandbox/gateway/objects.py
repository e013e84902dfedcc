"""Stripe-shaped JSON for the gateway's rows, and the event envelope its webhooks carry."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sandbox.common.events import EventDraft
from sandbox.gateway.config import API_VERSION


def _json(raw: str | None) -> Any:
    return None if raw is None else json.loads(raw)


def customer(row: sqlite3.Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": row["created"],
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": row["description"],
        "email": row["email"],
        "invoice_prefix": row["id"][-8:].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": _json(row["metadata"]),
        "name": row["name"],
        "phone": row["phone"],
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }


def payment_method(row: sqlite3.Row) -> dict[str, Any]:
    brand = row["brand"]
    return {
        "id": row["id"],
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": {
            "address": {
                "city": None,
                "country": None,
                "line1": None,
                "line2": None,
                "postal_code": None,
                "state": None,
            },
            "email": None,
            "name": row["holder_name"],
            "phone": None,
        },
        "card": {
            "brand": brand,
            "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
            "country": "US",
            "display_brand": brand,
            "exp_month": row["exp_month"],
            "exp_year": row["exp_year"],
            "fingerprint": row["fingerprint"],
            "funding": row["funding"],
            "generated_from": None,
            "last4": row["last4"],
            "networks": {"available": [brand], "preferred": None},
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": row["created"],
        "customer": row["customer"],
        "livemode": False,
        "metadata": _json(row["metadata"]),
        "type": "card",
    }


def payment_intent(
    row: sqlite3.Row, method: dict[str, Any] | None, next_action_url: str | None
) -> dict[str, Any]:
    error = _json(row["last_error"])
    if error is not None and method is not None:
        error = {**error, "payment_method": method}
    succeeded = row["status"] == "succeeded"
    return {
        "id": row["id"],
        "object": "payment_intent",
        "amount": row["amount"],
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": row["amount"] if succeeded else 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": row["client_secret"],
        "confirmation_method": "automatic",
        "created": row["created"],
        "currency": row["currency"],
        "customer": row["customer"],
        "description": row["description"],
        "last_payment_error": error,
        "latest_charge": row["latest_charge"],
        "livemode": False,
        "metadata": _json(row["metadata"]),
        "next_action": (
            {"type": "redirect_to_url", "redirect_to_url": {"return_url": None, "url": next_action_url}}
            if row["status"] == "requires_action"
            else None
        ),
        "on_behalf_of": None,
        "payment_method": row["payment_method"],
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": row["setup_future_usage"],
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": row["status"],
        "transfer_data": None,
        "transfer_group": None,
    }


def setup_intent(row: sqlite3.Row, method: dict[str, Any] | None) -> dict[str, Any]:
    error = _json(row["last_error"])
    if error is not None and method is not None:
        error = {**error, "payment_method": method}
    return {
        "id": row["id"],
        "object": "setup_intent",
        "application": None,
        "automatic_payment_methods": None,
        "cancellation_reason": None,
        "client_secret": row["client_secret"],
        "created": row["created"],
        "customer": row["customer"],
        "description": None,
        "flow_directions": None,
        "last_setup_error": error,
        "latest_attempt": None,
        "livemode": False,
        "mandate": None,
        "metadata": _json(row["metadata"]),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": row["payment_method"],
        "payment_method_options": {"card": {"request_three_d_secure": "automatic"}},
        "payment_method_types": ["card"],
        "single_use_mandate": None,
        "status": row["status"],
        "usage": "off_session",
    }


def checkout_session(row: sqlite3.Row, url: str) -> dict[str, Any]:
    is_open = row["status"] == "open"
    return {
        "id": row["id"],
        "object": "checkout.session",
        "after_expiration": None,
        "allow_promotion_codes": None,
        "amount_subtotal": row["amount_subtotal"],
        "amount_total": row["amount_total"],
        "automatic_tax": {"enabled": False, "liability": None, "status": None},
        "billing_address_collection": None,
        "cancel_url": row["cancel_url"],
        "client_reference_id": row["client_reference_id"],
        "client_secret": None,
        "consent": None,
        "consent_collection": None,
        "created": row["created"],
        "currency": row["currency"],
        "custom_fields": [],
        "custom_text": {
            "after_submit": None,
            "shipping_address": None,
            "submit": None,
            "terms_of_service_acceptance": None,
        },
        "customer": row["customer"],
        "customer_creation": row["customer_creation"],
        "customer_details": (
            None
            if row["status"] != "complete"
            else {
                "address": None,
                "email": row["customer_email"],
                "name": row["customer_name"],
                "phone": None,
                "tax_exempt": "none",
                "tax_ids": [],
            }
        ),
        "customer_email": row["customer_email"],
        "expires_at": row["expires_at"],
        "invoice": None,
        "invoice_creation": None,
        "livemode": False,
        "locale": None,
        "metadata": _json(row["metadata"]),
        "mode": row["mode"],
        "payment_intent": row["payment_intent"],
        "payment_link": None,
        "payment_method_collection": "always",
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "payment_status": row["payment_status"],
        "phone_number_collection": {"enabled": False},
        "recovered_from": None,
        "setup_intent": row["setup_intent"],
        "shipping_address_collection": None,
        "shipping_cost": None,
        "shipping_options": [],
        "status": row["status"],
        "submit_type": None,
        "subscription": None,
        "success_url": row["success_url"],
        "total_details": (
            {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
            if row["mode"] == "payment"
            else None
        ),
        "ui_mode": "hosted",
        "url": url if is_open else None,
    }


def line_items(row: sqlite3.Row) -> dict[str, Any]:
    items = _json(row["line_items"])
    data = [
        {
            "id": f"li_{row['id'][-20:]}{index}",
            "object": "item",
            "amount_discount": 0,
            "amount_subtotal": item["unit_amount"] * item["quantity"],
            "amount_tax": 0,
            "amount_total": item["unit_amount"] * item["quantity"],
            "currency": item["currency"],
            "description": item["name"],
            "price": {
                "id": f"price_{row['id'][-20:]}{index}",
                "object": "price",
                "active": False,
                "currency": item["currency"],
                "livemode": False,
                "metadata": {},
                "product": f"prod_{row['id'][-14:]}{index}",
                "type": "one_time",
                "unit_amount": item["unit_amount"],
                "unit_amount_decimal": str(item["unit_amount"]),
            },
            "quantity": item["quantity"],
        }
        for index, item in enumerate(items)
    ]
    return {
        "object": "list",
        "data": data,
        "has_more": False,
        "url": f"/v1/checkout/sessions/{row['id']}/line_items",
    }


def event_body(draft: EventDraft) -> dict[str, Any]:
    """Stripe's event envelope; `emit(..., data=<object>)` puts the object under `data.object`."""
    return {
        "id": draft.id,
        "object": "event",
        "api_version": API_VERSION,
        "created": int(draft.created.timestamp()),
        "data": {"object": draft.data},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": draft.type,
    }
