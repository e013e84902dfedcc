"""Verifying the gateway's webhooks: `Stripe-Signature: t=…,v1=…` over the raw body, then the event parsed.

Verification is constant-time, accepts any of several `v1` values (Stripe sends more than one while a secret
is being rolled), and rejects timestamps older than the tolerance and more than a small skew in the future
(stripe-python only rejects old ones).
"""

from __future__ import annotations

from adapters.ports.gateway import GatewayEvent
from adapters.stripe import parse
from adapters.wispgate.signing import DEFAULT_TOLERANCE_S, SignatureError, verify

__all__ = ["SIGNATURE_HEADER", "SignatureError", "verify_event"]

SIGNATURE_HEADER = "Stripe-Signature"


def verify_event(
    payload: bytes,
    header: str | None,
    secret: str,
    tolerance: int = DEFAULT_TOLERANCE_S,
    *,
    now: float | None = None,
) -> GatewayEvent:
    """The event in a webhook request, or SignatureError (answer 400) / ContractViolation (a signed body that
    is not a Stripe event). Pass the body exactly as received: re-serialized JSON would not verify."""
    verify(secret, payload, header, tolerance_s=tolerance, now=now)
    return parse.event(payload, "webhook")
