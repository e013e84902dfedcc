"""The combined sandbox: Billing, CRM, AAA and OSS (and the gateway) mounted under one prefix, with the
operator console, in one process. `build_sandbox()` is the sandbox's composition root."""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import ASGIApp

from sandbox.aaa.system import AaaSystem
from sandbox.billing.system import BillingSystem
from sandbox.common.events import EventTarget
from sandbox.common.system import System, SystemConfig, delivery_loops
from sandbox.console import console_routes
from sandbox.crm.service.mailer import smtp_settings
from sandbox.crm.system import CrmSystem
from sandbox.gateway.config import GatewayConfig
from sandbox.gateway.system import GatewaySystem
from sandbox.mailsink import MailSink
from sandbox.oss.system import OssSystem
from sandbox.paypal.system import PayPalConfig, PayPalSystem
from sandbox.settings import SandboxSettings
from sandbox.world import World, demo_world, with_bench_subscriber


def mount(path: str, app: ASGIApp) -> Mount:
    """A Mount whose sub-path also matches ids with an encoded newline (`%0A`).

    Starlette's `{path:path}` is `.*`, which stops at a newline, so such a request would fall through to a
    plain-text 404 that the contract cannot describe; the system behind the mount answers it properly instead.
    """
    route = Mount(path, app=app)
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    return route


@dataclass(frozen=True)
class CrmNotifier:
    """OSS's peer for notifications: SERVICE_STATUS notices about an incident. One about the sub-service when
    it is the subscriber's only one affected; otherwise one for the account (which SITE users do not see) and
    one per affected sub-service that a SITE user looks after, so that a building manager gets one notice,
    not one per apartment, and each apartment's user still gets theirs."""

    crm: CrmSystem

    def notify(self, subscriber_id: str, subservice_ids: list[str], title: str, body: str) -> None:
        notices = self.crm.service.notices
        if len(subservice_ids) == 1:
            notices.create(
                subscriber_id,
                "SERVICE_STATUS",
                title,
                body,
                subservice_id=subservice_ids[0],
                link=("SERVICE", subservice_ids[0]),
            )
            return
        notices.create(
            subscriber_id,
            "SERVICE_STATUS",
            title,
            f"{body} It affects {len(subservice_ids)} of your services.",
            link=("SERVICE", None),
        )
        directory = self.crm.service.directory
        looked_after = {
            s
            for u in directory.users_of(subscriber_id)
            if u["role"] == "SITE"
            for s in directory.site_ids(u["id"])
        }
        for subservice_id in subservice_ids:
            if subservice_id in looked_after:
                notices.create(
                    subscriber_id,
                    "SERVICE_STATUS",
                    title,
                    body,
                    subservice_id=subservice_id,
                    link=("SERVICE", subservice_id),
                )


@dataclass
class Sandbox:
    settings: SandboxSettings
    world: World
    billing: BillingSystem
    crm: CrmSystem
    aaa: AaaSystem
    oss: OssSystem
    gateway: GatewaySystem
    paypal: PayPalSystem  # the PayPal emulator (the BFF uses it when GATEWAYS names paypal)
    mail_sink: MailSink | None = None  # the demo's SMTP sink, shown by the console
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    @property
    def systems(self) -> list[System]:
        return [self.billing, self.crm, self.aaa, self.oss, self.gateway, self.paypal]

    def asgi(self) -> Starlette:
        """Every system under `/<name>` (the gateway at `/gateway`) plus the console at `/`; mount this at
        `/_sandbox`."""

        @contextlib.asynccontextmanager
        async def lifespan(_app: Starlette) -> AsyncIterator[None]:
            async with delivery_loops(self.systems):
                yield

        routes = [mount(f"/{s.name}", s.asgi()) for s in self.systems]
        # OSS's ACS as GenieACS's NBI, for OSS_BACKEND=genieacs (`sandbox.oss.nbi`).
        routes.append(mount("/genieacs", self.oss.nbi_asgi()))
        console = console_routes(self.settings.operator_key, self.world)
        mailbox = self.mail_sink.routes(self.settings.operator_key) if self.mail_sink is not None else []
        return Starlette(routes=[*routes, *mailbox, *console], lifespan=lifespan)

    def close(self) -> None:
        for system in self.systems:
            system.db.close()
        if self._tmp is not None:
            self._tmp.cleanup()


def build_sandbox(settings: SandboxSettings, mail_sink: MailSink | None = None) -> Sandbox:
    """`mail_sink`: a running SMTP sink the console shows (the demo's); the CRM sends to `settings.smtp_url`."""
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if settings.data_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="wispgate-sandbox-")
        data_dir = Path(tmp.name)
    else:
        data_dir = settings.data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
    fresh = not (data_dir / "seeded").exists()
    target = EventTarget(settings.events_url, settings.events_secret) if settings.events_url else None

    def config(name: str) -> SystemConfig:
        return SystemConfig(
            db_path=str(data_dir / f"{name}.sqlite3"),
            service_key=settings.service_key,
            operator_key=settings.operator_key,
            currency=settings.currency,
            event_target=target,
            brand=settings.brand,
        )

    today = settings.today or date.today()
    world = demo_world(today)
    if settings.bench_subservices:
        world = with_bench_subscriber(world, settings.bench_subservices)
    aaa = AaaSystem(config("aaa"))
    gateway = GatewaySystem(
        GatewayConfig(
            db_path=str(data_dir / "gateway.sqlite3"),
            secret_key=settings.gateway_secret_key,
            webhook_url=settings.gateway_webhook_url,
            webhook_secret=settings.gateway_webhook_secret,
            public_base_url=f"{settings.public_url}/gateway",
            operator_key=settings.operator_key,
            merchant_name=settings.brand.name,
            brand=settings.brand,
        )
    )
    sandbox = Sandbox(
        settings=settings,
        world=world,
        # The billing run suspends through AAA and charges autopay cards off-session through the gateway.
        billing=BillingSystem(
            config("billing"),
            service_control=aaa,
            today=today,
            card_charger=gateway,
            dunning_retry_days=settings.dunning_retry_days,
        ),
        crm=CrmSystem(
            config("crm"),
            attachments_dir=data_dir / "attachments",
            smtp=smtp_settings(settings.smtp_url, settings.smtp_from) if settings.smtp_url else None,
            portal_url=settings.portal_url,
        ),
        aaa=aaa,
        oss=OssSystem(config("oss"), accounting=aaa),  # usage counts AAA's sessions
        gateway=gateway,
        paypal=PayPalSystem(
            PayPalConfig(
                db_path=str(data_dir / "paypal.sqlite3"),
                webhook_url=settings.paypal_webhook_url,
                public_base_url=f"{settings.public_url}/paypal",
                operator_key=settings.operator_key,
                merchant_name=settings.brand.name,
                brand=settings.brand,
            )
        ),
        mail_sink=mail_sink,
        _tmp=tmp,
    )
    # OSS tells the subscribers an incident affects through the CRM's portal notifications.
    sandbox.oss.incidents.notifier = CrmNotifier(sandbox.crm)
    if fresh:
        for system in sandbox.systems:
            system.seed(world)
        (data_dir / "seeded").write_text(today.isoformat())
    return sandbox
