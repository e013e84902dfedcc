"""Signatures on the core's outbound events (and, with another header name, the gateway's webhooks).

Header: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "{t}.{raw body}">`, the scheme Stripe uses. Verification
is constant-time, rejects timestamps outside the tolerance in both directions, and works on the raw body.
"""

from __future__ import annotations

import hashlib
import hmac
import time

DEFAULT_TOLERANCE_S = 300
FUTURE_SKEW_S = 30


class SignatureError(Exception):
    """The signature header is missing, malformed, stale, from the future or does not match."""


def compute(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    return f"t={t},v1={compute(secret, t, body)}"


def verify(
    secret: str,
    body: bytes,
    header: str | None,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> int:
    """Return the signed timestamp, or raise SignatureError."""
    if not header:
        raise SignatureError("missing signature header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("malformed timestamp") from None
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("malformed signature header")
    current = time.time() if now is None else now
    if timestamp < current - tolerance_s:
        raise SignatureError("timestamp outside the tolerance")
    if timestamp > current + FUTURE_SKEW_S:
        raise SignatureError("timestamp in the future")
    expected = compute(secret, timestamp, body)
    if not any(hmac.compare_digest(expected, candidate) for candidate in candidates):
        raise SignatureError("signature mismatch")
    return timestamp
