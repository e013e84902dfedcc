"""The gateway's business logic, one mixin per job, composed into `GatewayService`:

- `reads`: objects by id, `expand[]`, Stripe's cursor lists (and the lazy expiry of Checkout Sessions);
- `customers`: customers and the payment methods attached to them;
- `checkout_sessions`: creating and expiring Checkout Sessions;
- `hosted_flow`: the card flow behind the hosted page (save the card, create the intent, decide);
- `payment_intents`: off-session PaymentIntents, and the in-process `CardCharger` Billing calls;
- `cards`, `currency`, `idempotency`: Stripe's test cards, currency rules and idempotent requests.

Every change and the events that report it happen in one transaction (`EventOutbox.emit` joins it), so a
webhook exists exactly when the change does. The API's handlers stay thin; the combined sandbox can call
this directly.
"""

from __future__ import annotations

from sandbox.gateway.service.checkout_sessions import CheckoutSessions
from sandbox.gateway.service.hosted_flow import HostedFlow, PayResult
from sandbox.gateway.service.payment_intents import PaymentIntents

__all__ = ["GatewayService", "PayResult"]


class GatewayService(HostedFlow, CheckoutSessions, PaymentIntents):
    """Everything the gateway does: what its API, its hosted page and its in-process peers call."""
