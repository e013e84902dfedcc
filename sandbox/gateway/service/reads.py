"""Reading the gateway's objects as Stripe renders them: by id, expanded, and in Stripe's cursor-paginated
lists. Reading a Checkout Session whose time is up expires it first, as Stripe does in the background."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from sandbox.gateway import objects
from sandbox.gateway.config import MAX_LIST
from sandbox.gateway.errors import invalid, no_such
from sandbox.gateway.form import Params
from sandbox.gateway.service.base import GatewayBase


class GatewayReads(GatewayBase):
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

    def _expire(self, row: sqlite3.Row) -> sqlite3.Row:
        self.db.execute(
            "UPDATE checkout_sessions SET status = 'expired', pending_payment_method = NULL WHERE id = ?",
            (row["id"],),
        )
        fresh = self._row("checkout_sessions", row["id"], "checkout.session")
        self._emit("checkout.session.expired", self._render_session(fresh))
        return fresh
