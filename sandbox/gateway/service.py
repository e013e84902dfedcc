"""The gateway's business logic: customers, Checkout Sessions and the card flow behind the hosted page,
off-session PaymentIntents, saved PaymentMethods and the events each change emits.

Every change and the events that report it happen in one transaction (`EventOutbox.emit` joins it), so a
webhook exists exactly when the change does. Handlers stay thin; the combined sandbox can call this directly.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import string
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from sandbox.common.db import Database
from sandbox.common.events import EventOutbox
from sandbox.gateway import cards, currency, objects
from sandbox.gateway.errors import StripeError, invalid, missing, no_such
from sandbox.gateway.form import Params

if TYPE_CHECKING:
    from sandbox.gateway.system import GatewayConfig

EVENT_TYPES = (
    "customer.created",
    "checkout.session.completed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "setup_intent.succeeded",
    "setup_intent.setup_failed",
    "payment_method.attached",
    "payment_method.detached",
)
SESSION_TTL_S = 24 * 3600
MIN_SESSION_TTL_S = 30 * 60
MAX_LIST = 100
_ALNUM = string.ascii_letters + string.digits
AUTH_FAILED_MESSAGE = "We are unable to authenticate your payment method. Please choose a different payment method and try again."


def new_id(prefix: str, length: int = 24) -> str:
    # Unguessable: a Checkout Session id is the capability that opens its hosted page.
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


def _url(p: Params, key: str, *, required: bool) -> str | None:
    value = p.string(key, required=required, max_len=5000)
    if value is None:
        return None
    parts = urlsplit(value.replace("{CHECKOUT_SESSION_ID}", "x"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(p.name(key), f"Not a valid URL: {p.name(key)} must be an http(s) URL.", "url_invalid")
    return value


@dataclass(frozen=True)
class PayResult:
    """What the hosted page does next: `redirect` to url, show `authenticate`, show a `declined` message,
    or show the session as `closed` (complete/expired) or `missing`."""

    kind: str
    url: str | None = None
    message: str | None = None


class GatewayService:
    def __init__(self, db: Database, outbox: EventOutbox, config: GatewayConfig) -> None:
        self.db = db
        self.outbox = outbox
        self.config = config
        self.clock: Callable[[], float] = time.time

    def now(self) -> int:
        return int(self.clock())

    def page_url(self, session_id: str) -> str:
        return f"{self.config.public_base_url.rstrip('/')}/pay/{session_id}"

    def _emit(self, type_: str, obj: dict[str, Any]) -> None:
        self.outbox.emit(type_, subscriber_id=None, data=obj)

    # ---- reads ------------------------------------------------------------------------------------------

    def _row(self, table: str, object_id: str, what: str, param: str = "id") -> sqlite3.Row:
        row = self.db.one(f"SELECT * FROM {table} WHERE id = ?", (object_id,))
        if row is None:
            raise no_such(what, object_id, param)
        return row

    def customer(self, customer_id: str) -> dict[str, Any]:
        return objects.customer(self._row("customers", customer_id, "customer"))

    def payment_method(self, method_id: str) -> dict[str, Any]:
        return objects.payment_method(self._row("payment_methods", method_id, "PaymentMethod"))

    def _error_method(self, row: sqlite3.Row) -> dict[str, Any] | None:
        error = json.loads(row["last_error"]) if row["last_error"] else None
        if not error or not error.get("payment_method"):
            return None
        method = self.db.one("SELECT * FROM payment_methods WHERE id = ?", (error["payment_method"],))
        return None if method is None else objects.payment_method(method)

    def _render_pi(self, row: sqlite3.Row) -> dict[str, Any]:
        session = self.db.one("SELECT id FROM checkout_sessions WHERE payment_intent = ?", (row["id"],))
        action_url = f"{self.page_url(session['id'])}/authenticate" if session else None
        return objects.payment_intent(row, self._error_method(row), action_url)

    def payment_intent(self, intent_id: str) -> dict[str, Any]:
        return self._render_pi(self._row("payment_intents", intent_id, "payment_intent"))

    def setup_intent(self, intent_id: str) -> dict[str, Any]:
        row = self._row("setup_intents", intent_id, "setup_intent")
        return objects.setup_intent(row, self._error_method(row))

    def session_row(self, session_id: str) -> sqlite3.Row | None:
        """The session, expired first if its time is up (Stripe expires them in the background)."""
        with self.db.transaction():
            row = self.db.one("SELECT * FROM checkout_sessions WHERE id = ?", (session_id,))
            if row is not None and row["status"] == "open" and self.now() >= row["expires_at"]:
                row = self._expire(row)
            return row

    def _render_session(self, row: sqlite3.Row) -> dict[str, Any]:
        return objects.checkout_session(row, self.page_url(row["id"]))

    def checkout_session(self, session_id: str) -> dict[str, Any]:
        row = self.session_row(session_id)
        if row is None:
            raise no_such("checkout.session", session_id)
        return self._render_session(row)

    def line_items(self, session_id: str) -> dict[str, Any]:
        return objects.line_items(self._row("checkout_sessions", session_id, "checkout.session"))

    def event(self, event_id: str) -> dict[str, Any]:
        row = self.db.one("SELECT body FROM event_outbox WHERE id = ?", (event_id,))
        if row is None:
            raise no_such("event", event_id)
        body: dict[str, Any] = json.loads(row["body"])
        return body

    def expand(self, obj: dict[str, Any], paths: list[str]) -> dict[str, Any]:
        """`expand[]=payment_intent.payment_method` etc.: replace id fields by the objects they name."""
        for path in paths:
            parts = path.split(".")
            if len(parts) > 4:
                raise invalid("expand", f"You cannot expand more than 4 levels of a property ({path}).")
            self._expand(obj, parts, path)
        return obj

    def _expand(self, obj: dict[str, Any], parts: list[str], path: str) -> None:
        key, rest = parts[0], parts[1:]
        if obj.get("object") == "checkout.session" and key == "line_items" and not rest:
            obj["line_items"] = self.line_items(obj["id"])
            return
        loaders: dict[str, Callable[[str], dict[str, Any]]] = {
            "cus_": self.customer,
            "pi_": self.payment_intent,
            "seti_": self.setup_intent,
            "pm_": self.payment_method,
        }
        value = obj.get(key)
        if isinstance(value, str):
            loader = next((fn for prefix, fn in loaders.items() if value.startswith(prefix)), None)
            if loader is None:
                raise invalid("expand", f"This property cannot be expanded ({path}).")
            value = obj[key] = loader(value)
        elif key not in obj or (value is not None and not isinstance(value, dict)):
            raise invalid("expand", f"This property cannot be expanded ({path}).")
        if rest and isinstance(value, dict):
            self._expand(value, rest, path)

    def _page(
        self,
        table: str,
        where: str,
        params: list[Any],
        p: Params,
        render: Callable[[sqlite3.Row], dict[str, Any]],
        url: str,
        what: str,
    ) -> dict[str, Any]:
        """Stripe's cursor pagination, newest first: `limit` (1..100), `starting_after`, `ending_before`."""
        limit = p.integer("limit", low=1, high=MAX_LIST) or 10
        after, before = p.string("starting_after", max_len=255), p.string("ending_before", max_len=255)
        if after and before:
            raise invalid(
                "starting_after",
                "You may only specify one of these parameters: ending_before, starting_after.",
            )
        cursor_id = after or before
        order = "DESC"
        if cursor_id:
            seq = self.db.scalar(f"SELECT seq FROM {table} WHERE id = ?", (cursor_id,))
            if seq is None:
                raise no_such(what, cursor_id, "starting_after" if after else "ending_before")
            where += " AND seq < ?" if after else " AND seq > ?"
            params = [*params, seq]
            order = "DESC" if after else "ASC"
        rows = self.db.all(
            f"SELECT * FROM {table} WHERE {where} ORDER BY seq {order} LIMIT ?", [*params, limit + 1]
        )
        has_more = len(rows) > limit
        rows = rows[:limit]
        if order == "ASC":
            rows.reverse()
        return {"object": "list", "data": [render(r) for r in rows], "has_more": has_more, "url": url}

    def list_payment_methods(self, customer_id: str, p: Params) -> dict[str, Any]:
        self._row("customers", customer_id, "customer", "customer")
        type_ = p.string("type", max_len=100)
        where = "customer = ?" + ("" if type_ in (None, "card") else " AND 0")
        return self._page(
            "payment_methods",
            where,
            [customer_id],
            p,
            objects.payment_method,
            f"/v1/customers/{customer_id}/payment_methods",
            "PaymentMethod",
        )

    def list_events(self, p: Params) -> dict[str, Any]:
        type_ = p.string("type", max_len=100)
        where, params = "1 = 1", []
        if type_:
            if type_.endswith(".*"):
                where, params = "type LIKE ? ESCAPE '\\'", [type_[:-1].replace("_", "\\_") + "%"]
            else:
                where, params = "type = ?", [type_]
        return self._page(
            "event_outbox", where, params, p, lambda r: json.loads(r["body"]), "/v1/events", "event"
        )

    # ---- customers --------------------------------------------------------------------------------------

    def create_customer(self, p: Params) -> dict[str, Any]:
        p.only(("email", "name", "description", "phone", "metadata"))
        with self.db.transaction():
            customer_id = self._insert_customer(
                email=p.string("email", max_len=512),
                name=p.string("name", max_len=256),
                description=p.string("description", max_len=350),
                phone=p.string("phone", max_len=20),
                metadata=p.metadata(),
            )
            return self.customer(customer_id)

    def _insert_customer(
        self,
        *,
        email: str | None,
        name: str | None,
        description: str | None = None,
        phone: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> str:
        customer_id = new_id("cus_", 14)
        self.db.execute(
            "INSERT INTO customers (id, email, name, description, phone, metadata, created)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (customer_id, email, name, description, phone, json.dumps(metadata or {}), self.now()),
        )
        self._emit("customer.created", self.customer(customer_id))
        return customer_id

    # ---- checkout sessions ------------------------------------------------------------------------------

    def create_checkout_session(self, p: Params) -> dict[str, Any]:
        p.only(
            (
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
        )
        mode = p.enum("mode", ("payment", "setup", "subscription"), required=True)
        if mode == "subscription":
            raise invalid("mode", "This sandbox supports Checkout Sessions in payment and setup mode only.")
        assert mode is not None
        success_url = _url(p, "success_url", required=True)
        assert success_url is not None
        cancel_url = _url(p, "cancel_url", required=False)
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
        for method_type in p.strings("payment_method_types"):
            if method_type != "card":
                raise invalid(
                    "payment_method_types", f"The payment method type provided: {method_type} is invalid."
                )
        p.string("locale", max_len=10)
        p.enum("submit_type", ("auto", "pay", "book", "donate"))
        now = self.now()
        expires_at = p.integer("expires_at", low=0, high=2**40)
        if expires_at is None:
            expires_at = now + SESSION_TTL_S
        elif not now + MIN_SESSION_TTL_S <= expires_at <= now + SESSION_TTL_S:
            raise invalid("expires_at", "expires_at must be between 30 minutes and 24 hours from now.")
        session_currency = p.string("currency", max_len=3)
        if session_currency is not None:
            session_currency = session_currency.lower()
            if not currency.valid(session_currency):
                raise invalid("currency", f"Invalid currency: {session_currency}.")
        intent_data: dict[str, Any]
        items: list[dict[str, Any]] = []
        total: int | None = None
        if mode == "payment":
            if p.obj("setup_intent_data"):
                raise invalid("setup_intent_data", "setup_intent_data can only be used in setup mode.")
            items = self._line_items(p)
            item_currency = items[0]["currency"]
            if session_currency not in (None, item_currency):
                raise invalid("currency", "currency must match the currency of the line items.")
            session_currency = item_currency
            total = sum(i["unit_amount"] * i["quantity"] for i in items)
            minimum = currency.MINIMUM.get(item_currency, 1)
            if total < minimum:
                raise StripeError(
                    400,
                    "The Checkout Session's total amount due must add up to at least"
                    f" {currency.display(minimum, item_currency)} {item_currency}",
                    code="amount_too_small",
                    param="line_items",
                )
            if total > 99_999_999:
                raise StripeError(
                    400,
                    "Amount must be no more than 99,999,999.",
                    code="amount_too_large",
                    param="line_items",
                )
            data = p.obj("payment_intent_data")
            intent_data = {}
            if data:
                data.only(("metadata", "description", "setup_future_usage"))
                intent_data = {
                    "metadata": data.metadata(),
                    "description": data.string("description", max_len=1000),
                    "setup_future_usage": data.enum("setup_future_usage", ("on_session", "off_session")),
                }
        else:
            if p.raw.get("line_items"):
                raise invalid("line_items", "line_items cannot be used in setup mode.")
            if p.obj("payment_intent_data"):
                raise invalid("payment_intent_data", "payment_intent_data can only be used in payment mode.")
            data = p.obj("setup_intent_data")
            intent_data = {}
            if data:
                data.only(("metadata", "description"))
                intent_data = {
                    "metadata": data.metadata(),
                    "description": data.string("description", max_len=1000),
                }
        session_id = new_id("cs_test_", 58)
        with self.db.transaction():
            self.db.execute(
                "INSERT INTO checkout_sessions (id, mode, status, payment_status, customer, customer_email,"
                " customer_creation, client_reference_id, metadata, success_url, cancel_url, currency,"
                " amount_subtotal, amount_total, line_items, intent_data, created, expires_at)"
                " VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    session_id,
                    mode,
                    "unpaid" if mode == "payment" else "no_payment_required",
                    customer,
                    customer_email,
                    customer_creation,
                    p.string("client_reference_id", max_len=200),
                    json.dumps(p.metadata()),
                    success_url,
                    cancel_url,
                    session_currency,
                    total,
                    total,
                    json.dumps(items),
                    json.dumps(intent_data),
                    now,
                    expires_at,
                ),
            )
            return self.checkout_session(session_id)

    @staticmethod
    def _line_items(p: Params) -> list[dict[str, Any]]:
        entries = p.items("line_items")
        if not entries:
            raise missing("line_items")
        items = []
        for entry in entries:
            entry.only(("price_data", "quantity", "price"))
            if entry.has("price"):
                raise invalid(entry.name("price"), "Prices are not stored by this sandbox: use price_data.")
            price = entry.obj("price_data")
            if price is None:
                raise missing(entry.name("price_data"))
            price.only(("currency", "unit_amount", "product_data"))
            item_currency = price.required("currency", max_len=3).lower()
            if not currency.valid(item_currency):
                raise invalid(price.name("currency"), f"Invalid currency: {item_currency}.")
            unit_amount = price.integer("unit_amount", required=True, low=0)
            product = price.obj("product_data")
            if product is None:
                raise missing(price.name("product_data"))
            product.only(("name", "description"))
            quantity = entry.integer("quantity", required=True, low=1, high=999_999)
            assert unit_amount is not None and quantity is not None
            items.append(
                {
                    "currency": item_currency,
                    "unit_amount": unit_amount,
                    "quantity": quantity,
                    "name": product.required("name", max_len=250),
                    "description": product.string("description", max_len=500),
                }
            )
        if len({i["currency"] for i in items}) > 1:
            raise invalid("line_items", "All line items must use the same currency.")
        return items

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

    def _expire(self, row: sqlite3.Row) -> sqlite3.Row:
        self.db.execute(
            "UPDATE checkout_sessions SET status = 'expired', pending_payment_method = NULL WHERE id = ?",
            (row["id"],),
        )
        fresh = self._row("checkout_sessions", row["id"], "checkout.session")
        self._emit("checkout.session.expired", self._render_session(fresh))
        return fresh

    # ---- the hosted page's card flow --------------------------------------------------------------------

    def pay(self, session_id: str, card: cards.CardInput) -> PayResult:
        with self.db.transaction():
            row = self.session_row(session_id)
            if row is None:
                return PayResult("missing")
            if row["status"] != "open":
                return PayResult("closed")
            behavior = cards.behavior_of(card.number)
            method_id = self._insert_method(card, behavior)
            intent_id = self._session_intent(row)
            row = self._row("checkout_sessions", session_id, "checkout.session")  # now with its intent
            if behavior.kind in (cards.AUTHENTICATE, cards.ALWAYS_AUTHENTICATE):
                table = "payment_intents" if row["mode"] == "payment" else "setup_intents"
                self.db.execute(
                    f"UPDATE {table} SET status = 'requires_action', payment_method = ?, last_error = NULL"
                    " WHERE id = ?",
                    (method_id, intent_id),
                )
                self.db.execute(
                    "UPDATE checkout_sessions SET pending_payment_method = ? WHERE id = ?",
                    (method_id, session_id),
                )
                return PayResult("authenticate")
            decline = behavior if behavior.kind == cards.DECLINE else None
            if decline is None and row["mode"] == "payment" and behavior.kind == cards.CHARGE_FAILS:
                decline = cards.GENERIC_DECLINE
            if decline is not None:
                error = {
                    "code": decline.code,
                    "decline_code": decline.decline_code,
                    "message": decline.message,
                    "type": "card_error",
                }
                self._fail_intent(row, intent_id, method_id, error)
                return PayResult("declined", message=decline.message)
            return self._complete(row, method_id, card.name)

    def authenticate(self, session_id: str, *, approved: bool) -> PayResult:
        with self.db.transaction():
            row = self.session_row(session_id)
            if row is None:
                return PayResult("missing")
            if row["status"] != "open":
                return PayResult("closed")
            method_id = row["pending_payment_method"]
            if method_id is None:
                return PayResult("nothing_pending")
            if approved:
                method = self._row("payment_methods", method_id, "PaymentMethod")
                return self._complete(row, method_id, method["holder_name"])
            prefix = "payment_intent" if row["mode"] == "payment" else "setup_intent"
            error = {
                "code": f"{prefix}_authentication_failure",
                "message": "The provided PaymentMethod has failed authentication. You can provide"
                " payment_method_data or a new PaymentMethod to attempt to fulfill this"
                f" {'PaymentIntent' if prefix == 'payment_intent' else 'SetupIntent'} again.",
                "type": "invalid_request_error",
            }
            self._fail_intent(row, row["payment_intent"] or row["setup_intent"], method_id, error)
            return PayResult("declined", message=AUTH_FAILED_MESSAGE)

    def pending_session(self, session_id: str) -> sqlite3.Row | None:
        row = self.session_row(session_id)
        if row is None or row["status"] != "open" or row["pending_payment_method"] is None:
            return None
        return row

    def _insert_method(self, card: cards.CardInput, behavior: cards.Behavior) -> str:
        method_id = new_id("pm_")
        self.db.execute(
            "INSERT INTO payment_methods (id, brand, last4, exp_month, exp_year, fingerprint, funding,"
            " holder_name, behavior, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                method_id,
                card.brand,
                card.last4,
                card.exp_month,
                card.exp_year,
                cards.fingerprint(self.config.secret_key, card.number),
                "debit" if card.number == "4000056655665556" else "credit",
                card.name,
                behavior.kind,
                self.now(),
            ),
        )
        return method_id

    def _session_intent(self, row: sqlite3.Row) -> str:
        """The session's PaymentIntent / SetupIntent, created on the first attempt (as Stripe does)."""
        data = json.loads(row["intent_data"])
        if row["mode"] == "payment":
            if row["payment_intent"]:
                return str(row["payment_intent"])
            intent_id = new_id("pi_")
            items = json.loads(row["line_items"])
            self.db.execute(
                "INSERT INTO payment_intents (id, amount, currency, status, customer, description, metadata,"
                " setup_future_usage, client_secret, created)"
                " VALUES (?, ?, ?, 'requires_payment_method', ?, ?, ?, ?, ?, ?)",
                (
                    intent_id,
                    row["amount_total"],
                    row["currency"],
                    row["customer"],
                    data.get("description") or (items[0]["name"] if items else None),
                    json.dumps(data.get("metadata") or {}),
                    data.get("setup_future_usage"),
                    f"{intent_id}_secret_{new_id('')}",
                    self.now(),
                ),
            )
            self.db.execute(
                "UPDATE checkout_sessions SET payment_intent = ? WHERE id = ?", (intent_id, row["id"])
            )
            return intent_id
        if row["setup_intent"]:
            return str(row["setup_intent"])
        intent_id = new_id("seti_")
        self.db.execute(
            "INSERT INTO setup_intents (id, status, customer, metadata, client_secret, created)"
            " VALUES (?, 'requires_payment_method', ?, ?, ?, ?)",
            (
                intent_id,
                row["customer"],
                json.dumps(data.get("metadata") or {}),
                f"{intent_id}_secret_{new_id('')}",
                self.now(),
            ),
        )
        self.db.execute("UPDATE checkout_sessions SET setup_intent = ? WHERE id = ?", (intent_id, row["id"]))
        return intent_id

    def _fail_intent(self, row: sqlite3.Row, intent_id: str, method_id: str, error: dict[str, Any]) -> None:
        error = {**error, "payment_method": method_id}
        self.db.execute(
            "UPDATE checkout_sessions SET pending_payment_method = NULL WHERE id = ?", (row["id"],)
        )
        if row["mode"] == "payment":
            charge = new_id("ch_") if error["type"] == "card_error" else None
            if charge:
                error["charge"] = charge
            self.db.execute(
                "UPDATE payment_intents SET status = 'requires_payment_method', payment_method = NULL,"
                " last_error = ?, latest_charge = COALESCE(?, latest_charge) WHERE id = ?",
                (json.dumps(error), charge, intent_id),
            )
            self._emit("payment_intent.payment_failed", self.payment_intent(intent_id))
        else:
            self.db.execute(
                "UPDATE setup_intents SET status = 'requires_payment_method', payment_method = NULL,"
                " last_error = ? WHERE id = ?",
                (json.dumps(error), intent_id),
            )
            self._emit("setup_intent.setup_failed", self.setup_intent(intent_id))

    def _complete(self, row: sqlite3.Row, method_id: str, holder_name: str | None) -> PayResult:
        session_id = row["id"]
        customer = row["customer"]
        if customer is None and (row["mode"] == "setup" or row["customer_creation"] == "always"):
            customer = self._insert_customer(email=row["customer_email"], name=holder_name)
        if customer is not None:
            self.db.execute("UPDATE payment_methods SET customer = ? WHERE id = ?", (customer, method_id))
            self._emit("payment_method.attached", self.payment_method(method_id))
        if row["mode"] == "payment":
            intent_id = row["payment_intent"]
            self.db.execute(
                "UPDATE payment_intents SET status = 'succeeded', payment_method = ?, customer = ?,"
                " last_error = NULL, latest_charge = ? WHERE id = ?",
                (method_id, customer, new_id("ch_"), intent_id),
            )
            self._emit("payment_intent.succeeded", self.payment_intent(intent_id))
            payment_status = "paid"
        else:
            intent_id = row["setup_intent"]
            self.db.execute(
                "UPDATE setup_intents SET status = 'succeeded', payment_method = ?, customer = ?,"
                " last_error = NULL WHERE id = ?",
                (method_id, customer, intent_id),
            )
            self._emit("setup_intent.succeeded", self.setup_intent(intent_id))
            payment_status = "no_payment_required"
        self.db.execute(
            "UPDATE checkout_sessions SET status = 'complete', payment_status = ?, customer = ?,"
            " customer_name = ?, pending_payment_method = NULL WHERE id = ?",
            (payment_status, customer, holder_name, session_id),
        )
        self._emit("checkout.session.completed", self.checkout_session(session_id))
        return PayResult("redirect", url=row["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id))

    # ---- off-session payments ---------------------------------------------------------------------------

    def create_payment_intent(self, p: Params) -> tuple[int, dict[str, Any]]:
        """(200, PaymentIntent) or, for a declined confirmation, (402, Stripe's card_error body)."""
        p.only(
            (
                "amount",
                "currency",
                "customer",
                "payment_method",
                "confirm",
                "off_session",
                "metadata",
                "description",
                "payment_method_types",
            )
        )
        amount = p.integer("amount", required=True, low=0)
        assert amount is not None
        code = p.required("currency", max_len=3).lower()
        if not currency.valid(code):
            raise invalid("currency", f"Invalid currency: {code}.")
        minimum = currency.MINIMUM.get(code, 1)
        if amount < minimum:
            raise StripeError(
                400,
                f"Amount must be at least {currency.display(minimum, code)} {code}",
                code="amount_too_small",
                param="amount",
            )
        customer = p.string("customer", max_len=255)
        if customer is not None:
            self._row("customers", customer, "customer", "customer")
        method_id = p.string("payment_method", max_len=255)
        method = (
            None
            if method_id is None
            else self._row("payment_methods", method_id, "PaymentMethod", "payment_method")
        )
        confirm = p.boolean("confirm") or False
        off_session = p.boolean("off_session") or False
        for method_type in p.strings("payment_method_types"):
            if method_type != "card":
                raise invalid(
                    "payment_method_types", f"The payment method type provided: {method_type} is invalid."
                )
        if off_session and not confirm:
            raise invalid("off_session", "You can only pass off_session=true when confirm=true.")
        if confirm and method is None:
            raise StripeError(
                400,
                "You cannot confirm this PaymentIntent because it's missing a payment method.",
                code="payment_intent_unexpected_state",
            )
        if method is not None and method["customer"] is not None and method["customer"] != customer:
            raise invalid(
                "payment_method",
                f"The provided PaymentMethod {method['id']} is attached to another Customer than the one"
                " provided (or none was provided).",
                "payment_method_invalid_parameter",
            )
        if method is not None and off_session and method["customer"] is None:
            raise invalid(
                "payment_method",
                "A PaymentMethod must be attached to a Customer to be used off-session.",
                "payment_method_invalid_parameter",
            )
        description = p.string("description", max_len=1000)
        metadata = p.metadata()
        intent_id = new_id("pi_")
        with self.db.transaction():
            status = "requires_payment_method" if method is None else "requires_confirmation"
            self.db.execute(
                "INSERT INTO payment_intents (id, amount, currency, status, customer, payment_method, description,"
                " metadata, off_session, client_secret, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    intent_id,
                    amount,
                    code,
                    status,
                    customer,
                    method_id,
                    description,
                    json.dumps(metadata),
                    int(off_session),
                    f"{intent_id}_secret_{new_id('')}",
                    self.now(),
                ),
            )
            if not confirm:
                return 200, self.payment_intent(intent_id)
            assert method is not None
            kind = method["behavior"]
            if not off_session and kind in (cards.AUTHENTICATE, cards.ALWAYS_AUTHENTICATE):
                self.db.execute(
                    "UPDATE payment_intents SET status = 'requires_action' WHERE id = ?", (intent_id,)
                )
                return 200, self.payment_intent(intent_id)
            outcome = cards.decline_for(kind)
            charge = new_id("ch_")
            if outcome.kind == cards.SUCCEED:
                self.db.execute(
                    "UPDATE payment_intents SET status = 'succeeded', latest_charge = ? WHERE id = ?",
                    (charge, intent_id),
                )
                succeeded = self.payment_intent(intent_id)
                self._emit("payment_intent.succeeded", succeeded)
                return 200, succeeded
            error = {
                "charge": charge,
                "code": outcome.code,
                "decline_code": outcome.decline_code,
                "message": outcome.message,
                "type": "card_error",
                "payment_method": method_id,
            }
            self.db.execute(
                "UPDATE payment_intents SET status = 'requires_payment_method', payment_method = NULL,"
                " last_error = ?, latest_charge = ? WHERE id = ?",
                (json.dumps(error), charge, intent_id),
            )
            failed = self.payment_intent(intent_id)
            self._emit("payment_intent.payment_failed", failed)
            body = StripeError(
                402,
                str(outcome.message),
                type_="card_error",
                code=outcome.code,
                extra={
                    "charge": charge,
                    "decline_code": outcome.decline_code,
                    "payment_intent": failed,
                    "payment_method": failed["last_payment_error"]["payment_method"],
                },
            ).body()
            return 402, body

    # ---- payment methods --------------------------------------------------------------------------------

    def detach_payment_method(self, method_id: str) -> dict[str, Any]:
        with self.db.transaction():
            row = self._row("payment_methods", method_id, "PaymentMethod")
            if row["customer"] is None:
                raise StripeError(
                    400,
                    "The payment method you provided is not attached to a customer so detachment is impossible.",
                    code="payment_method_unexpected_state",
                )
            self.db.execute("UPDATE payment_methods SET customer = NULL WHERE id = ?", (method_id,))
            detached = self.payment_method(method_id)
            self._emit("payment_method.detached", detached)
            return detached
