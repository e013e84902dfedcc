"""`HttpStripeGateway`: the payment gateway port over Stripe's HTTP API (or the sandbox gateway).

One `httpx.AsyncClient` per gateway (base URL, `Authorization: Bearer`, a pinned `Stripe-Version`, explicit
timeouts). Requests are form-encoded with Stripe's bracket notation; every creating call sends an
`Idempotency-Key`. Failures become `adapters.errors`: transport errors, timeouts, 5xx and 429 →
Unavailable; a 402 card error → CardDeclined (a Rejected); 404 → NotFound; other 4xx → Rejected with
Stripe's error code (or its error type when it has no code); a body that is not the expected object →
ContractViolation (`adapters.stripe.parse`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from adapters.errors import NotFound, Rejected, TimedOut, Unavailable
from adapters.ports.gateway import (
    CardDeclined,
    CheckoutSession,
    Customer,
    GatewayEvent,
    PaymentIntent,
    PaymentMethodInfo,
)
from adapters.ports.money import Money
from adapters.resilience.guard import Guard, Policy
from adapters.resilience.retry import retryable
from adapters.stripe import parse
from adapters.stripe.amounts import BACKEND, to_minor

API_VERSION = "2026-10-28.endive"
STRIPE_API = "https://api.stripe.com"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5,000 saved cards: far beyond any real customer, a guard against a looping cursor

FormValue = str | int | bool | None | Mapping[str, Any] | Sequence[Any]


@dataclass(frozen=True)
class StripeConfig:
    api_key: str  # sk_live_… / sk_test_… (the sandbox's secret key for the sandbox)
    base_url: str = STRIPE_API  # or e.g. "http://127.0.0.1:8000/_sandbox/gateway"
    api_version: str = API_VERSION
    connect_timeout_s: float = 3.0
    read_timeout_s: float = 20.0  # Stripe's own guidance: card networks can be slow
    max_connections: int = 20


# The gateway's default guard: one slow read, then room for one quick retry of a lost answer.
DEFAULT_POLICY = Policy(deadline_s=25.0, concurrency=16)


def make_stripe_http(
    config: StripeConfig, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The one AsyncClient the gateway adapter gets; the composition root owns and closes it."""
    return httpx.AsyncClient(
        base_url=config.base_url.rstrip("/"),
        headers={
            "authorization": f"Bearer {config.api_key}",
            "stripe-version": config.api_version,
            "accept": "application/json",
        },
        timeout=httpx.Timeout(config.read_timeout_s, connect=config.connect_timeout_s),
        limits=httpx.Limits(max_connections=config.max_connections, max_keepalive_connections=10),
        transport=transport,
    )


def encode_form(params: Mapping[str, FormValue]) -> list[tuple[str, str]]:
    """`{"metadata": {"a": "1"}, "items": [{"q": 2}]}` → `metadata[a]=1`, `items[0][q]=2` (None is skipped,
    booleans are `true`/`false`), the encoding Stripe's API reads."""
    pairs: list[tuple[str, str]] = []

    def walk(key: str, value: Any) -> None:
        if value is None:
            return
        if isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        elif isinstance(value, (str, int)):
            pairs.append((key, str(value)))
        elif isinstance(value, Mapping):
            for sub, item in value.items():
                walk(f"{key}[{sub}]", item)
        elif isinstance(value, (list, tuple)):
            for index, item in enumerate(value):
                walk(f"{key}[{index}]", item)
        else:
            raise TypeError(f"cannot form-encode {type(value).__name__} for {key}")

    for name, value in params.items():
        walk(name, value)
    return pairs


class HttpStripeGateway:
    """Implements `PaymentGatewayPort`."""

    def __init__(self, http: httpx.AsyncClient, guard: Guard | None = None) -> None:
        self.http = http
        # Deadline, breaker, bulkhead; reads are retried, and so are writes that carry an idempotency key
        # (Stripe answers a repeated key with the first result), never a charge without one.
        self.guard = guard if guard is not None else Guard(BACKEND, DEFAULT_POLICY)

    # ---- transport --------------------------------------------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        params: Mapping[str, FormValue] | None = None,
        *,
        idempotency_key: str | None = None,
    ) -> bytes:
        """The answer's body, for `adapters.stripe.parse` to decode; or an `adapters.errors` type."""
        pairs = encode_form(params or {})
        headers: dict[str, str] = {}
        content: bytes | None = None
        url = path
        if method == "GET":
            if pairs:
                url = f"{path}?{urlencode(pairs)}"
        else:
            content = urlencode(pairs).encode()
            headers["content-type"] = "application/x-www-form-urlencoded"
            if idempotency_key is not None:
                headers["idempotency-key"] = idempotency_key
        where = f"{method} {path}"

        async def attempt() -> bytes:
            return await self._send(method, url, content, headers, where)

        operation = f"{method} {_operation_path(path)}"
        return await self.guard.run(operation, attempt, retryable=retryable(method, headers))

    async def _send(
        self, method: str, url: str, content: bytes | None, headers: dict[str, str], where: str
    ) -> bytes:
        try:
            response = await self.http.request(method, url, content=content, headers=headers)
        except httpx.TimeoutException:
            raise TimedOut(BACKEND, f"{where} timed out") from None
        except httpx.HTTPError as exc:
            raise Unavailable(BACKEND, f"{where} failed: {type(exc).__name__}") from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise Unavailable(BACKEND, f"{where} answered {status}: {self._error(response)[2]}")
        if status >= 400:
            raise self._rejection(response, where)
        return response.content

    @staticmethod
    def _error(response: httpx.Response) -> tuple[dict[str, Any], str, str]:
        """(error object, code, message) of Stripe's error body, tolerant of anything else."""
        try:
            error = response.json()["error"]
            if not isinstance(error, dict):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            return {}, f"HTTP_{response.status_code}", response.reason_phrase
        code = error.get("code") or error.get("type") or f"HTTP_{response.status_code}"
        return error, str(code), str(error.get("message") or response.reason_phrase)

    def _rejection(self, response: httpx.Response, where: str) -> Exception:
        error, code, message = self._error(response)
        status = response.status_code
        if status == 404:
            return NotFound(BACKEND, message or f"{where} not found")
        if status == 402 and error.get("type") == "card_error":
            intent = error.get("payment_intent")
            intent_id = intent.get("id") if isinstance(intent, dict) else None
            decline = error.get("decline_code") or error.get("code") or "card_declined"
            return CardDeclined(
                BACKEND, str(decline), message, intent_id if isinstance(intent_id, str) else None
            )
        return Rejected(BACKEND, code, message, status)

    # ---- customers --------------------------------------------------------------------------------------

    async def create_customer(
        self, email: str | None, name: str | None, subscriber_id: str, idempotency_key: str
    ) -> Customer:
        body = await self._call(
            "POST",
            "/v1/customers",
            {"email": email, "name": name, "metadata": {"subscriber_id": subscriber_id}},
            idempotency_key=idempotency_key,
        )
        return parse.customer(body)

    async def customer(self, customer_id: str) -> Customer:
        return parse.customer(await self._call("GET", f"/v1/customers/{_id(customer_id)}"))

    # ---- checkout sessions ------------------------------------------------------------------------------

    async def create_payment_session(
        self,
        amount: Money,
        description: str,
        reference: Mapping[str, str],
        customer_id: str | None,
        success_url: str,
        cancel_url: str,
        idempotency_key: str,
        client_reference_id: str | None = None,
        save_card: bool = False,
    ) -> CheckoutSession:
        minor = to_minor(amount)
        intent: dict[str, FormValue] = {"metadata": dict(reference), "description": description}
        if save_card:
            intent["setup_future_usage"] = "off_session"
        params: dict[str, FormValue] = {
            "mode": "payment",
            "customer": customer_id,
            "client_reference_id": client_reference_id,
            "success_url": success_url,
            "cancel_url": cancel_url,
            "line_items": [
                {
                    "price_data": {
                        "currency": amount.currency.lower(),
                        "unit_amount": minor,
                        "product_data": {"name": description},
                    },
                    "quantity": 1,
                }
            ],
            "metadata": dict(reference),
            # On the PaymentIntent too, so `payment_intent.*` events carry the reference as well.
            "payment_intent_data": intent,
        }
        body = await self._call("POST", "/v1/checkout/sessions", params, idempotency_key=idempotency_key)
        return parse.checkout_session(body)

    async def create_setup_session(
        self,
        customer_id: str,
        currency: str,
        success_url: str,
        cancel_url: str,
        reference: Mapping[str, str],
        idempotency_key: str,
    ) -> CheckoutSession:
        params: dict[str, FormValue] = {
            "mode": "setup",
            "customer": customer_id,
            "currency": currency.lower(),
            "success_url": success_url,
            "cancel_url": cancel_url,
            "metadata": dict(reference),
            "setup_intent_data": {"metadata": dict(reference)},
        }
        body = await self._call("POST", "/v1/checkout/sessions", params, idempotency_key=idempotency_key)
        return parse.checkout_session(body)

    async def checkout_session(self, session_id: str) -> CheckoutSession:
        body = await self._call(
            "GET",
            f"/v1/checkout/sessions/{_id(session_id)}",
            {"expand": ["payment_intent", "setup_intent"]},
        )
        return parse.checkout_session(body)

    # ---- payments ---------------------------------------------------------------------------------------

    async def charge_off_session(
        self,
        customer_id: str,
        payment_method_id: str,
        amount: Money,
        metadata: Mapping[str, str],
        idempotency_key: str,
    ) -> PaymentIntent:
        params: dict[str, FormValue] = {
            "amount": to_minor(amount),
            "currency": amount.currency.lower(),
            "customer": customer_id,
            "payment_method": payment_method_id,
            "confirm": True,
            "off_session": True,
            "metadata": dict(metadata),
        }
        body = await self._call("POST", "/v1/payment_intents", params, idempotency_key=idempotency_key)
        return parse.payment_intent(body)

    # ---- payment methods --------------------------------------------------------------------------------

    async def payment_methods(self, customer_id: str) -> list[PaymentMethodInfo]:
        methods: list[PaymentMethodInfo] = []
        params: dict[str, FormValue] = {"type": "card", "limit": PAGE_SIZE}
        for _ in range(MAX_PAGES):
            body = await self._call("GET", f"/v1/customers/{_id(customer_id)}/payment_methods", params)
            batch, has_more = parse.payment_method_page(body)
            methods.extend(batch)
            if not has_more or not batch:
                break
            params = {**params, "starting_after": batch[-1].id}
        return methods

    async def payment_method(self, payment_method_id: str) -> PaymentMethodInfo:
        return parse.payment_method(await self._call("GET", f"/v1/payment_methods/{_id(payment_method_id)}"))

    async def detach_payment_method(self, payment_method_id: str) -> PaymentMethodInfo:
        body = await self._call("POST", f"/v1/payment_methods/{_id(payment_method_id)}/detach")
        return parse.payment_method(body)

    # ---- events -----------------------------------------------------------------------------------------

    async def event(self, event_id: str) -> GatewayEvent:
        return parse.event(await self._call("GET", f"/v1/events/{_id(event_id)}"))


_STRIPE_ID = re.compile(r"^[a-z]{2,5}_\w+$")  # cus_…, pm_…, cs_test_…, evt_… (not payment_intents)


def _operation_path(path: str) -> str:
    """`/v1/customers/cus_123/payment_methods` → `/v1/customers/{id}/payment_methods` (a metrics label)."""
    return "/".join("{id}" if _STRIPE_ID.match(s) else s for s in path.split("/"))


def _id(value: str) -> str:
    """An id for a URL path: Stripe ids are [A-Za-z0-9_]; anything else cannot exist, so it is refused
    before it can change the path (`../`, `?`)."""
    if (
        not value
        or len(value) > 255
        or not value.isascii()
        or not all(c.isalnum() or c == "_" for c in value)
    ):
        raise NotFound(BACKEND, f"no such object: {value[:60]!r}")
    return value
