"""The two-instance cluster: the core sandbox and BFF instances A and B sharing one Redis, each a real server
on loopback started with the product's own commands (`wispgate sandbox`, `wispgate serve`).

The sandbox's gateway POSTs its webhooks, and its core systems their events, to A only; A and B share the
JWT secret, the Redis URL and the key prefix: one portal as far as a subscriber can tell. Clients are a
`Portal` per instance (`cluster.portal(url)`), a graphql-transport-ws `Socket`, and `pay_hosted_page` for
the gateway's card form.

`bench/webhook_push.py` measures the same arrangement with a sandbox of its own (its delivery client stamps
each webhook POST) and so keeps its own copy of these few pieces: a benchmark must not import the tests,
nor the tests a benchmark.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.settings import SandboxSettings
from tests.harness.portal import BASE_ENV, Portal
from tests.harness.process import REPO, free_port, product_env, served, wispgate

SERVICE_KEY = "cluster-service-key"
GOOD_CARD = "4242 4242 4242 4242"


def _bff_env(sandbox: str, public_url: str, redis_url: str, redis_prefix: str) -> dict[str, str]:
    """One instance's environment: every backend at the sandbox, the shared secrets, the shared Redis."""
    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(REPO / "no-web-dist"),  # none: the instances serve the API only
        "JWT_SECRET": BASE_ENV["JWT_SECRET"],
        "FILES_SIGNING_KEY": BASE_ENV["FILES_SIGNING_KEY"],
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": redis_prefix,
        "PUBLIC_URL": public_url,
        "GATEWAY_URL": f"{sandbox}/_sandbox/gateway",
        "GATEWAY_SECRET_KEY": SandboxSettings.gateway_secret_key,
        "GATEWAY_WEBHOOK_SECRET": SandboxSettings.gateway_webhook_secret,
        "CORE_EVENTS_SECRET": SandboxSettings.events_secret,
    }
    for system in ("billing", "crm", "aaa", "oss"):
        env[f"{system.upper()}_URL"] = f"{sandbox}/_sandbox/{system}"
        env[f"{system.upper()}_API_KEY"] = SERVICE_KEY
    return env


@dataclass(frozen=True)
class Cluster:
    """Base URLs of the sandbox (its systems under `/_sandbox`) and of instances A and B."""

    sandbox: str
    a: str
    b: str
    redis_prefix: str

    @classmethod
    @contextlib.contextmanager
    def running(cls, redis_url: str) -> Iterator[Cluster]:
        """All three started at once, ready (the sandbox's console first, then each instance's /readyz,
        which checks Redis), stopped on exit."""
        ports = {"sandbox": free_port(), "a": free_port(), "b": free_port()}
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        prefix = f"wgtest-{uuid.uuid4().hex[:12]}:"  # this run's own keys, whoever else uses the Redis
        sandbox_env = product_env(
            SANDBOX_SERVICE_KEY=SERVICE_KEY,
            SANDBOX_EVENTS_URL=f"{urls['a']}/hooks/core",
            SANDBOX_GATEWAY_WEBHOOK_URL=f"{urls['a']}/webhooks/gateway",
            SANDBOX_PUBLIC_URL=f"{urls['sandbox']}/_sandbox",
        )
        children = [
            (
                "wispgate sandbox",
                wispgate("sandbox", "--port", str(ports["sandbox"])),
                sandbox_env,
                f"{urls['sandbox']}/_sandbox/",
            )
        ]
        for name in ("a", "b"):
            # Gateway return pages point at A; nothing here follows them.
            env = product_env(**_bff_env(urls["sandbox"], urls["a"], redis_url, prefix))
            children.append(
                (
                    f"wispgate serve ({name.upper()})",
                    wispgate("serve", "--port", str(ports[name])),
                    env,
                    f"{urls[name]}/readyz",
                )
            )
        with served(*children):
            yield cls(urls["sandbox"], urls["a"], urls["b"], prefix)

    @contextlib.asynccontextmanager
    async def portal(self, url: str) -> AsyncIterator[Portal]:
        """A `Portal` of the instance at `url` (`cluster.a` or `cluster.b`) over real HTTP."""
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            yield Portal(client)


async def pay_hosted_page(
    client: httpx.AsyncClient, checkout_url: str, number: str = GOOD_CARD
) -> httpx.Response:
    """What a browser does on the gateway's hosted page: POST the card form (no redirects followed)."""
    form = {"card_number": number, "card_expiry": "12 / 34", "card_cvc": "123", "card_name": "Test Payer"}
    return await client.post(checkout_url, data=form, follow_redirects=False)


class Socket:
    """A graphql-transport-ws connection to one instance, authenticated with the access token in
    `connection_init` (as a mobile client does)."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.replace("http://", "ws://") + "/graphql"
        self.token = token
        self.ws: Any = None
        self._ids = 0

    async def __aenter__(self) -> Socket:
        from websockets.asyncio.client import connect

        self.ws = await connect(self.url, subprotocols=["graphql-transport-ws"], open_timeout=10)  # type: ignore[list-item]
        await self.ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}})
        )
        ack = json.loads(await asyncio.wait_for(self.ws.recv(), 10))
        assert ack.get("type") == "connection_ack", ack
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.ws.close()

    async def subscribe(self, query: str) -> str:
        """Start a subscription; its operation id. Wait with `wait_subscribed()` before causing events."""
        self._ids += 1
        op_id = str(self._ids)
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
        return op_id

    async def next(self, timeout_s: float) -> dict[str, Any]:
        """The next message other than ping/pong (answering pings); `TimeoutError` after `timeout_s`."""
        while True:
            message: dict[str, Any] = json.loads(await asyncio.wait_for(self.ws.recv(), timeout_s))
            if message.get("type") == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message.get("type") == "pong":
                continue
            return message


async def wait_subscribed() -> None:
    """Give the instance time to start the subscription's bus listener (there is no ack for `subscribe`)."""
    await asyncio.sleep(0.5)
