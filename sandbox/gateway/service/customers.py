"""Customers and the payment methods attached to them."""

from __future__ import annotations

import json
from typing import Any

from sandbox.gateway import objects
from sandbox.gateway.errors import StripeError
from sandbox.gateway.form import Params
from sandbox.gateway.service.base import new_id
from sandbox.gateway.service.reads import GatewayReads


class Customers(GatewayReads):
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
