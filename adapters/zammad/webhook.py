"""Zammad's webhooks (Admin → Webhook, called by a trigger): verifying them and reading what changed.

Zammad signs the raw body with the webhook's "HMAC SHA1 Signature Token": `X-Hub-Signature: sha1=<hex>`.
Each delivery has a random id of its own (`X-Zammad-Delivery`). The default payload is `{"ticket": {…},
"article": {…}}`, the ticket with its customer as an object (custom user attributes included).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature"
DELIVERY_HEADER = "X-Zammad-Delivery"
PREFIX = "sha1="


class SignatureError(ValueError):
    """The signature is missing or does not match the body."""


class NotATicketEvent(ValueError):
    """A signed body that is not a ticket webhook."""


def sign(secret: str, body: bytes) -> str:
    """The header value Zammad sends for `body` (tests sign with it too)."""
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> None:
    if not secret:
        raise SignatureError("no secret is configured")
    if not header or not header.lower().startswith(PREFIX):
        raise SignatureError("no sha1 signature")
    if not hmac.compare_digest(sign(secret, body).lower(), header.strip().lower()):
        raise SignatureError("the signature does not match")


@dataclass(frozen=True, slots=True)
class TicketChange:
    zammad_id: int
    customer: Mapping[str, Any]  # the ticket's customer as the payload gives it ({"id": …} at least)
    created: bool  # the ticket's first article: it was just opened
    occurred_at: str  # the ticket's updated_at


def ticket_change(body: bytes) -> TicketChange:
    """What a delivery says changed. Raises NotATicketEvent for anything else."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise NotATicketEvent("not JSON") from None
    ticket = payload.get("ticket") if isinstance(payload, dict) else None
    if (
        not isinstance(ticket, dict)
        or not isinstance(ticket.get("id"), int)
        or isinstance(ticket.get("id"), bool)
    ):
        raise NotATicketEvent("no ticket with an id")
    customer = ticket.get("customer")
    if not isinstance(customer, dict):
        customer = {}
    if "id" not in customer and isinstance(ticket.get("customer_id"), int):
        customer = {**customer, "id": ticket["customer_id"]}
    count = ticket.get("article_count")
    updated = ticket.get("updated_at")
    return TicketChange(
        zammad_id=ticket["id"],
        customer=customer,
        created=count == 1,
        occurred_at=updated if isinstance(updated, str) else "",
    )
