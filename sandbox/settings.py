"""Settings of the runnable sandbox, loaded from the environment by a function (never at import time)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from email.utils import formataddr
from pathlib import Path

from adapters.brand import DEFAULT_BRAND, Brand, load_brand
from sandbox.billing.config import DUNNING_RETRY_DAYS
from sandbox.billing.service.dunning import validate_retry_days


@dataclass(frozen=True)
class SandboxSettings:
    data_dir: Path | None = None  # None: a fresh temporary directory every start (the demo)
    service_key: str = "sandbox-service-key"  # what the BFF presents
    operator_key: str = "sandbox-operator-key"  # what the operator console presents
    events_url: str | None = None  # where core events are POSTed (the BFF's /hooks/core)
    events_secret: str = "sandbox-events-secret-0123456789abcdef"
    currency: str = "USD"
    today: date | None = None  # pin the seed's "today" (tests); default: the real date
    bench_subservices: int = 0  # >0 adds "Bench Holdings" with that many sub-services
    # Where the sandbox is reachable from a browser (the gateway's hosted checkout pages live under it).
    public_url: str = "http://127.0.0.1:8000/_sandbox"
    gateway_secret_key: str = "sk_test_sandbox_51WispGateSandboxSecretKey0123456789"
    gateway_webhook_url: str | None = None  # the BFF's /webhooks/gateway
    gateway_webhook_secret: str = "whsec_sandbox_0123456789abcdef0123456789abcdef"
    paypal_webhook_url: str | None = None  # the BFF's /webhooks/paypal (the PayPal emulator's deliveries)
    # Where the CRM sends its e-mails (sandbox/crm/service/mailer.py): None keeps them in the outbox only.
    smtp_url: str | None = None
    smtp_from: str = "WISPGate Networks Support <support@wispgate.example>"
    # The portal the links in e-mails point to.
    portal_url: str = "http://127.0.0.1:8000"
    # The operator's name, colour, logo and contacts (BRAND_*, `adapters.brand`; the BFF reads the same): the
    # CRM's e-mails, Billing's PDFs and the gateway's hosted page carry them.
    brand: Brand = DEFAULT_BRAND
    # Days after an autopay charge's first decline on which Billing retries it (SANDBOX_DUNNING_RETRY_DAYS,
    # "1,3,5"); suspension for non-payment waits for the last (`sandbox/billing/service/dunning.py`).
    dunning_retry_days: tuple[int, ...] = DUNNING_RETRY_DAYS


def load_sandbox_settings(env: dict[str, str] | None = None) -> SandboxSettings:
    source = os.environ if env is None else env
    data_dir = source.get("SANDBOX_DATA_DIR")
    brand = load_brand(source)
    return SandboxSettings(
        data_dir=Path(data_dir) if data_dir else None,
        service_key=source.get("SANDBOX_SERVICE_KEY", SandboxSettings.service_key),
        operator_key=source.get("SANDBOX_OPERATOR_KEY", SandboxSettings.operator_key),
        events_url=source.get("SANDBOX_EVENTS_URL") or None,
        events_secret=source.get("SANDBOX_EVENTS_SECRET", SandboxSettings.events_secret),
        currency=source.get("SANDBOX_CURRENCY", "USD"),
        bench_subservices=int(source.get("SANDBOX_BENCH_SUBSERVICES", "0")),
        public_url=source.get("SANDBOX_PUBLIC_URL", SandboxSettings.public_url).rstrip("/"),
        gateway_secret_key=source.get("SANDBOX_GATEWAY_SECRET_KEY", SandboxSettings.gateway_secret_key),
        gateway_webhook_url=source.get("SANDBOX_GATEWAY_WEBHOOK_URL") or None,
        gateway_webhook_secret=source.get(
            "SANDBOX_GATEWAY_WEBHOOK_SECRET", SandboxSettings.gateway_webhook_secret
        ),
        paypal_webhook_url=source.get("SANDBOX_PAYPAL_WEBHOOK_URL") or None,
        smtp_url=source.get("SMTP_URL") or None,
        smtp_from=source.get("SMTP_FROM") or formataddr((f"{brand.name} Support", brand.support_email)),
        portal_url=source.get("PORTAL_URL", SandboxSettings.portal_url).rstrip("/"),
        brand=brand,
        dunning_retry_days=_retry_days(source.get("SANDBOX_DUNNING_RETRY_DAYS")),
    )


def _retry_days(raw: str | None) -> tuple[int, ...]:
    if not raw:
        return DUNNING_RETRY_DAYS
    try:
        return validate_retry_days([int(part) for part in raw.split(",")])
    except ValueError as exc:
        raise ValueError(f"SANDBOX_DUNNING_RETRY_DAYS: {exc}") from None
