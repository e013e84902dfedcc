"""What the emulator does, in PayPal's terms: tokens, orders, approval, capture, webhook signatures.

Order bodies are stored as PayPal answers them and changed in place; `PayPal-Request-Id` replays the first
answer of a create or capture (PayPal's idempotency). Errors are `PayPalApiError`s in PayPal's error shape.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
import zlib
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.paypal.config import (
    CUSTOM_ID_MAX,
    DESCRIPTION_MAX,
    NO_DECIMALS,
    REQUEST_ID_MAX,
    TOKEN_TTL_S,
    PayPalConfig,
)

_MESSAGES = {
    "UNPROCESSABLE_ENTITY": "The requested action could not be performed, semantically incorrect, or failed business validation.",
    "INVALID_REQUEST": "Request is not well-formed, syntactically incorrect, or violates schema.",
    "RESOURCE_NOT_FOUND": "The specified resource does not exist.",
    "AUTHENTICATION_FAILURE": "Authentication failed due to invalid authentication credentials or a missing Authorization header.",
}


class PayPalApiError(Exception):
    def __init__(self, status: int, name: str, issue: str | None = None, description: str = "") -> None:
        super().__init__(issue or name)
        self.status, self.name, self.issue, self.description = status, name, issue, description

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "message": _MESSAGES.get(self.name, self.name),
            "debug_id": secrets.token_hex(7),
        }
        if self.issue:
            body["details"] = [{"issue": self.issue, "description": self.description}]
            body["links"] = [
                {
                    "href": f"https://developer.paypal.com/docs/api/orders/v2/#error-{self.issue}",
                    "rel": "information_link",
                    "method": "GET",
                }
            ]
        return body


def _unprocessable(issue: str, description: str) -> PayPalApiError:
    return PayPalApiError(422, "UNPROCESSABLE_ENTITY", issue, description)


def _invalid(issue: str, description: str) -> PayPalApiError:
    return PayPalApiError(400, "INVALID_REQUEST", issue, description)


def paypal_id(length: int = 17) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _amount(raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise _invalid("MISSING_REQUIRED_PARAMETER", "amount is required.")
    code, value = raw.get("currency_code"), raw.get("value")
    if not isinstance(code, str) or len(code) != 3 or not isinstance(value, str) or len(value) > 32:
        raise _invalid("INVALID_PARAMETER_VALUE", "The amount's currency_code or value is invalid.")
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise _invalid("INVALID_PARAMETER_SYNTAX", "The amount's value is not a decimal string.") from None
    if not amount.is_finite() or amount <= 0:
        raise _unprocessable("CANNOT_BE_ZERO_OR_NEGATIVE", "Must be greater than zero.")
    exponent = amount.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) else 0
    if code.upper() in NO_DECIMALS and places > 0:
        raise _unprocessable("DECIMALS_NOT_SUPPORTED", "Currency code does not support decimals.")
    if places > 3 or (places > 2 and code.upper() not in ("BHD", "JOD", "KWD", "OMR", "TND")):
        raise _unprocessable("DECIMAL_PRECISION", "The value has too many decimal places.")
    return {"currency_code": code.upper(), "value": value}


class PayPalService:
    def __init__(self, db: Database, outbox: EventOutbox, config: PayPalConfig) -> None:
        self.db, self.outbox, self.config = db, outbox, config

    # ---- OAuth2 -----------------------------------------------------------------------------------------

    def issue_token(self, client_id: str, client_secret: str) -> dict[str, Any] | None:
        if not (
            hmac.compare_digest(client_id, self.config.client_id)
            and hmac.compare_digest(client_secret, self.config.client_secret)
        ):
            return None
        token = f"A21AA{secrets.token_urlsafe(48)}"
        self.db.execute(
            "INSERT INTO paypal_tokens (token, expires_at) VALUES (?, ?)", (token, time.time() + TOKEN_TTL_S)
        )
        return {
            "scope": "https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/applications/webhooks",
            "access_token": token,
            "token_type": "Bearer",
            "app_id": "APP-SANDBOX0000000000",
            "expires_in": TOKEN_TTL_S,
            "nonce": f"{clock.iso(clock.now())}{secrets.token_urlsafe(16)}",
        }

    def token_valid(self, token: str) -> bool:
        row = self.db.one("SELECT expires_at FROM paypal_tokens WHERE token = ?", (token,))
        return row is not None and float(row["expires_at"]) > time.time()

    # ---- idempotency ------------------------------------------------------------------------------------

    def _replayed(self, request_id: str | None, operation: str) -> tuple[int, dict[str, Any]] | None:
        if not request_id:
            return None
        if len(request_id) > REQUEST_ID_MAX:
            raise _invalid("INVALID_PARAMETER_VALUE", "PayPal-Request-Id is too long.")
        row = self.db.one(
            "SELECT status, body FROM paypal_requests WHERE request_id = ? AND operation = ?",
            (request_id, operation),
        )
        return None if row is None else (int(row["status"]), json.loads(row["body"]))

    def _remember(self, request_id: str | None, operation: str, status: int, body: dict[str, Any]) -> None:
        if request_id:
            self.db.execute(
                "INSERT OR IGNORE INTO paypal_requests (request_id, operation, status, body) VALUES (?, ?, ?, ?)",
                (request_id, operation, status, json.dumps(body)),
            )

    # ---- orders -----------------------------------------------------------------------------------------

    def _links(self, order_id: str, status: str, with_payer_action: bool) -> list[dict[str, str]]:
        api = f"{self.config.public_base_url}/v2/checkout/orders/{order_id}"
        links = [{"href": api, "rel": "self", "method": "GET"}]
        if status in ("CREATED", "PAYER_ACTION_REQUIRED"):
            links.append(
                {
                    "href": f"{self.config.public_base_url}/checkoutnow?token={order_id}",
                    "rel": "payer-action" if with_payer_action else "approve",
                    "method": "GET",
                }
            )
        if status == "APPROVED":
            links.append({"href": f"{api}/capture", "rel": "capture", "method": "POST"})
        return links

    def create_order(self, payload: Any, request_id: str | None) -> tuple[int, dict[str, Any]]:
        replay = self._replayed(request_id, "create")
        if replay is not None:
            return replay
        if not isinstance(payload, dict) or payload.get("intent") != "CAPTURE":
            raise _invalid("INVALID_PARAMETER_VALUE", "intent must be CAPTURE (the emulator's only intent).")
        units = payload.get("purchase_units")
        if not isinstance(units, list) or len(units) != 1 or not isinstance(units[0], dict):
            raise _invalid("INVALID_ARRAY_MAX_ITEMS", "The emulator takes exactly one purchase unit.")
        unit = units[0]
        amount = _amount(unit.get("amount"))
        custom_id = unit.get("custom_id")
        if custom_id is not None and (not isinstance(custom_id, str) or len(custom_id) > CUSTOM_ID_MAX):
            raise _invalid("INVALID_STRING_MAX_LENGTH", "custom_id is longer than 127 characters.")
        description = unit.get("description")
        if description is not None and (
            not isinstance(description, str) or len(description) > DESCRIPTION_MAX
        ):
            raise _invalid("INVALID_STRING_MAX_LENGTH", "description is longer than 127 characters.")
        experience = (payload.get("payment_source") or {}).get("paypal", {}).get("experience_context")
        context = experience if isinstance(experience, dict) else payload.get("application_context") or {}
        return_url, cancel_url = context.get("return_url"), context.get("cancel_url")
        for url in (return_url, cancel_url):
            if not isinstance(url, str) or not url.startswith(("http://", "https://")) or len(url) > 4000:
                raise _invalid("INVALID_PARAMETER_SYNTAX", "return_url and cancel_url must be absolute URLs.")
        order_id = paypal_id()
        status = "PAYER_ACTION_REQUIRED" if isinstance(experience, dict) else "CREATED"
        body = {
            "id": order_id,
            "intent": "CAPTURE",
            "status": status,
            "purchase_units": [
                {
                    "reference_id": unit.get("reference_id") or "default",
                    "amount": amount,
                    "payee": {"email_address": "merchant@sandbox.example", "merchant_id": "SANDBOXMERCH1"},
                    **({"description": description} if description else {}),
                    **({"custom_id": custom_id} if custom_id else {}),
                }
            ],
            "create_time": clock.iso(clock.now()),
            "links": self._links(order_id, status, isinstance(experience, dict)),
        }
        self.db.execute(
            "INSERT INTO paypal_orders (id, status, body, return_url, cancel_url, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (order_id, status, json.dumps(body), return_url, cancel_url, body["create_time"]),
        )
        self._remember(request_id, "create", 201, body)
        return 201, body

    def order_row(self, order_id: str) -> Any:
        return self.db.one("SELECT * FROM paypal_orders WHERE id = ?", (order_id,))

    def order(self, order_id: str) -> dict[str, Any]:
        row = self.order_row(order_id)
        if row is None:
            raise PayPalApiError(
                404, "RESOURCE_NOT_FOUND", "INVALID_RESOURCE_ID", "Specified resource ID does not exist."
            )
        body: dict[str, Any] = json.loads(row["body"])
        return body

    def _save(self, body: dict[str, Any]) -> None:
        self.db.execute(
            "UPDATE paypal_orders SET status = ?, body = ? WHERE id = ?",
            (body["status"], json.dumps(body), body["id"]),
        )

    def approve(self, order_id: str, *, decline: bool = False) -> str:
        """The payer clicked Pay on the approval page: APPROVED, CHECKOUT.ORDER.APPROVED sent; the return
        URL (with `token` and `PayerID`, as PayPal appends them) is where the browser goes next."""
        with self.db.transaction():
            body = self.order(order_id)
            row = self.order_row(order_id)
            if body["status"] in ("CREATED", "PAYER_ACTION_REQUIRED"):
                body["status"] = "APPROVED"
                body["payer"] = {
                    "name": {"given_name": "Sandbox", "surname": "Payer"},
                    "email_address": "payer@sandbox.example",
                    "payer_id": "SANDBOXPAYER1",
                }
                body["links"] = self._links(order_id, "APPROVED", False)
                self._save(body)
                self.db.execute("UPDATE paypal_orders SET decline = ? WHERE id = ?", (int(decline), order_id))
                self.outbox.emit("CHECKOUT.ORDER.APPROVED", subscriber_id=None, data={"resource": body})
        separator = "&" if "?" in row["return_url"] else "?"
        return f"{row['return_url']}{separator}token={order_id}&PayerID=SANDBOXPAYER1"

    def cancel_url(self, order_id: str) -> str:
        row = self.order_row(order_id)
        separator = "&" if "?" in row["cancel_url"] else "?"
        return f"{row['cancel_url']}{separator}token={order_id}"

    def capture(self, order_id: str, request_id: str | None) -> tuple[int, dict[str, Any]]:
        replay = self._replayed(request_id, f"capture:{order_id}")
        if replay is not None:
            return replay
        with self.db.transaction():
            body = self.order(order_id)
            row = self.order_row(order_id)
            if body["status"] == "COMPLETED":
                raise _unprocessable(
                    "ORDER_ALREADY_CAPTURED",
                    "Order already captured.If 'intent=CAPTURE' only one capture per order is allowed.",
                )
            if body["status"] != "APPROVED":
                raise _unprocessable(
                    "ORDER_NOT_APPROVED",
                    "Payer has not yet approved the Order for payment.",
                )
            if row["decline"]:
                # The payer's funding source was refused: PayPal asks to send them back to choose another.
                self.outbox.emit(
                    "PAYMENT.CAPTURE.DENIED",
                    subscriber_id=None,
                    data={"resource": self._capture(body, "DECLINED")},
                )
                raise _unprocessable(
                    "INSTRUMENT_DECLINED",
                    "The instrument presented  was either declined by the processor or bank, or it can't be used for this payment.",
                )
            capture = self._capture(body, "COMPLETED")
            unit = body["purchase_units"][0]
            unit["payments"] = {"captures": [{k: v for k, v in capture.items() if k != "supplementary_data"}]}
            body["status"] = "COMPLETED"
            body["links"] = self._links(order_id, "COMPLETED", False)
            self._save(body)
            self.outbox.emit("PAYMENT.CAPTURE.COMPLETED", subscriber_id=None, data={"resource": capture})
            self._remember(request_id, f"capture:{order_id}", 201, body)
        return 201, body

    def _capture(self, order: dict[str, Any], status: str) -> dict[str, Any]:
        unit = order["purchase_units"][0]
        capture_id = paypal_id()
        now = clock.iso(clock.now())
        capture: dict[str, Any] = {
            "id": capture_id,
            "status": status,
            "amount": unit["amount"],
            "final_capture": True,
            "seller_protection": {"status": "ELIGIBLE", "dispute_categories": ["ITEM_NOT_RECEIVED"]},
            "links": [
                {
                    "href": f"{self.config.public_base_url}/v2/payments/captures/{capture_id}",
                    "rel": "self",
                    "method": "GET",
                }
            ],
            "create_time": now,
            "update_time": now,
            "supplementary_data": {"related_ids": {"order_id": order["id"]}},
        }
        if unit.get("custom_id"):
            capture["custom_id"] = unit["custom_id"]
        return capture

    # ---- webhook signatures -----------------------------------------------------------------------------

    def signature(self, transmission_id: str, transmission_time: str, raw: bytes) -> str:
        """PayPal signs `<transmission id>|<time>|<webhook id>|<crc32 of the body>`; so does the emulator,
        with an HMAC instead of PayPal's RSA key."""
        message = f"{transmission_id}|{transmission_time}|{self.config.webhook_id}|{zlib.crc32(raw)}"
        digest = hmac.new(self.config.signing_secret.encode(), message.encode(), hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def verify(self, request: Any) -> str:
        """SUCCESS when the signature is the emulator's over the very event it delivered, FAILURE otherwise."""
        if not isinstance(request, dict):
            raise _invalid("MISSING_REQUIRED_PARAMETER", "The request body is not an object.")
        fields = (
            "auth_algo",
            "cert_url",
            "transmission_id",
            "transmission_sig",
            "transmission_time",
            "webhook_id",
        )
        if not all(isinstance(request.get(f), str) and request.get(f) for f in fields) or not isinstance(
            request.get("webhook_event"), dict
        ):
            raise _invalid("MISSING_REQUIRED_PARAMETER", "A required field is missing.")
        event = request["webhook_event"]
        if request["webhook_id"] != self.config.webhook_id or not isinstance(event.get("id"), str):
            return "FAILURE"
        stored = self.outbox.get(outbox_id(event["id"]))
        if stored is None or stored["body"] != event:
            return "FAILURE"  # an event the emulator never sent, or one changed on the way
        raw = json.dumps(stored["body"], separators=(",", ":")).encode()
        expected = self.signature(request["transmission_id"], request["transmission_time"], raw)
        return "SUCCESS" if hmac.compare_digest(expected, request["transmission_sig"]) else "FAILURE"


def webhook_id_of(outbox_event_id: str) -> str:
    """The outbox's `evt_<hex>` as PayPal writes event ids: `WH-<HEX>`."""
    return f"WH-{outbox_event_id.removeprefix('evt_').upper()}"


def outbox_id(webhook_event_id: str) -> str:
    return f"evt_{webhook_event_id.removeprefix('WH-').lower()}"
