"""Webhook → subscription latency across two BFF instances sharing Redis.

Four processes on loopback, each with its own GIL:
- the core sandbox (Billing, CRM, AAA, OSS and the payment gateway) under uvicorn. Its gateway POSTs webhooks
  (and its core systems POST events) to instance A only. The outbox delivery loops run on an httpx client whose
  request hook stamps the moment each webhook POST starts (`time.perf_counter`, CLOCK_MONOTONIC: one clock for
  every process on this machine); `/_bench/posts` hands the stamps over;
- BFF instance A and BFF instance B (`create_app`, uvicorn with `websockets-sansio` like `wispgate serve`), same
  JWT secret, same `REDIS_URL` and key prefix: one portal as far as a subscriber can tell;
- this process: logs in on B (`tokenDelivery: BODY`), holds a graphql-transport-ws subscription to
  `paymentSettled` on B, and for each sample starts a wallet top-up on A (`topUpWallet`, a fresh idempotency key
  and a unique amount) and pays the gateway's hosted page over HTTP with the test card.

Each sample is a real settlement: the gateway completes the checkout, POSTs `checkout.session.completed` to A,
A verifies the signature, takes the Redis lock, credits the wallet in Billing, writes the CRM notification and
publishes `payment.settled` on the Redis bus; B's one pub/sub reader fans it out to the subscription, which
answers `kind amount settledAt` (a top-up needs no backend read on B) over the socket.

Measured per sample: **end to end** = the gateway starts the webhook POST to A → this process has the
`paymentSettled` message from B's socket; **A's handling** = the same POST start → A's 2xx answer as the gateway's
client saw it (A publishes before it answers, so the two overlap). Samples run one after another.
Run: `python bench/webhook_push.py [--samples 60] [--write]` (needs a Redis: `REDIS_URL` or 127.0.0.1:6379).

The tests start the same arrangement from the product's own commands (`tests/harness/cluster.py`); this
script keeps its own children and clients because its sandbox stamps each webhook POST and its socket
stamps each message (and a benchmark does not import the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dashboard import machine_load, pct  # noqa: E402
from bench.results import write_section  # noqa: E402

PASSWORD = "wispgate-demo"  # sandbox/world.py: every seeded portal user's password
SERVICE_KEY = "bench-service-key"
JWT_SECRET = "bench-two-instances-jwt-secret-0123456789abcdef"
FILES_KEY = "bench-two-instances-files-key-0123456789abcdef"
CHILD_TIMEOUT_S = 900  # a server child exits by itself after this, whatever happens to its parent
START_TIMEOUT_S = 60.0
GOOD_CARD = "4242 4242 4242 4242"
TOPUP_EMAIL = "ana@lima.example"
WARMUPS = 3

LOGIN = """
mutation BenchLogin($email: String!, $password: String!) {
  login(input: { email: $email, password: $password, tokenDelivery: BODY }) {
    accessToken
    userErrors { code message }
  }
}
"""
TOP_UP = """
mutation BenchTopUp($input: TopUpWalletInput!) {
  topUpWallet(input: $input) { checkoutUrl userErrors { code message } }
}
"""
SETTLED = "subscription BenchSettled { paymentSettled { kind amount { amount currency } settledAt } }"

# ----------------------------------------------------------------------------------------------- children


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _sandbox_app(config: dict[str, Any]) -> tuple[Any, Any]:
    """The combined sandbox under `/_sandbox`, its delivery loops on a stamping client, `/_bench/posts`."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Mount, Route

    from sandbox.app import build_sandbox
    from sandbox.settings import SandboxSettings

    base = f"http://127.0.0.1:{config['port']}"
    settings = SandboxSettings(
        service_key=SERVICE_KEY,
        events_url=f"{config['a_url']}/hooks/core",
        gateway_webhook_url=f"{config['a_url']}/webhooks/gateway",
        public_url=f"{base}/_sandbox",
    )
    sandbox = build_sandbox(settings)
    webhook_url = settings.gateway_webhook_url
    posts: list[dict[str, Any]] = []

    async def stamp(request: httpx.Request) -> None:
        if str(request.url) != webhook_url:
            return
        started = time.perf_counter()
        try:
            body = json.loads(request.content)
            obj = body["data"]["object"]
            amount = obj.get("amount_total", obj.get("amount"))
            posts.append({"t": started, "id": body["id"], "type": body["type"], "amount": amount})
        except (ValueError, KeyError, TypeError):
            posts.append({"t": started, "id": "?", "type": "?", "amount": None})
        request.extensions["bench_started"] = started

    async def answered(response: httpx.Response) -> None:
        started = response.request.extensions.get("bench_started")
        if started is not None:
            for post in reversed(posts):
                if post["t"] == started:
                    post["answered"] = time.perf_counter()
                    post["status"] = response.status_code
                    break

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        hooks: dict[str, list[Callable[..., Any]]] = {"request": [stamp], "response": [answered]}
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0), event_hooks=hooks) as client:
            # What sandbox.common.system.delivery_loops does, on this instrumented client.
            tasks = [
                asyncio.create_task(s.outbox.run(client, 0.2)) for s in sandbox.systems if s.outbox.target
            ]
            try:
                yield
            finally:
                for task in tasks:
                    task.cancel()
                for task in tasks:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    async def drain(_request: Request) -> JSONResponse:
        taken = list(posts)
        posts.clear()
        return JSONResponse(taken)

    inner = sandbox.asgi()
    app = Starlette(routes=[Route("/_bench/posts", drain), Mount("/_sandbox", app=inner)], lifespan=lifespan)
    return app, sandbox


def bff_env(sandbox_url: str, public_url: str, redis_url: str, redis_prefix: str) -> dict[str, str]:
    """One instance's environment: every backend at the sandbox, the shared secrets, the shared Redis."""
    from sandbox.settings import SandboxSettings

    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(ROOT / "bench" / "no-web-dist"),
        "JWT_SECRET": JWT_SECRET,
        "FILES_SIGNING_KEY": FILES_KEY,
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": redis_prefix,
        "PUBLIC_URL": public_url,
        "GATEWAY_URL": f"{sandbox_url}/_sandbox/gateway",
        "GATEWAY_SECRET_KEY": SandboxSettings.gateway_secret_key,
        "GATEWAY_WEBHOOK_SECRET": SandboxSettings.gateway_webhook_secret,
        "CORE_EVENTS_SECRET": SandboxSettings.events_secret,
    }
    for system in ("billing", "crm", "aaa", "oss"):
        env[f"{system.upper()}_URL"] = f"{sandbox_url}/_sandbox/{system}"
        env[f"{system.upper()}_API_KEY"] = SERVICE_KEY
    return env


def _bff_app(config: dict[str, Any]) -> Any:
    from bff.core.settings import load_settings
    from bff.server.app import create_app

    env = bff_env(config["sandbox_url"], config["public_url"], config["redis_url"], config["redis_prefix"])
    return create_app(load_settings(env))


async def _serve(server: Any) -> None:
    """Run `server`; say "READY" once listening; stop when stdin closes (the parent is done or gone)."""
    loop = asyncio.get_running_loop()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(setattr, server, "should_exit", True)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.call_later(CHILD_TIMEOUT_S, setattr, server, "should_exit", True)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise SystemExit("server did not start")
        await asyncio.sleep(0.01)
    print("READY", flush=True)
    await task


def child_main(role: str, raw: str) -> None:
    import uvicorn

    config = json.loads(raw)
    sandbox = None
    if role == "sandbox":
        app, sandbox = _sandbox_app(config)
        ws = "auto"
    else:
        app = _bff_app(config)
        ws = "websockets-sansio"  # as `wispgate serve` runs it
    uv = uvicorn.Config(
        app, host="127.0.0.1", port=config["port"], log_level="warning", access_log=False, ws=ws
    )
    server = uvicorn.Server(uv)
    try:
        with asyncio.Runner(loop_factory=uv.get_loop_factory()) as runner:
            runner.run(_serve(server))
    finally:
        if sandbox is not None:
            sandbox.close()


@dataclass
class Child:
    role: str
    proc: subprocess.Popen[str]
    url: str

    def stop(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _start(role: str, config: dict[str, Any]) -> Child:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", role, json.dumps(config)]
    # This same script by its own path with this interpreter: nothing untrusted.
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
    return Child(role, proc, f"http://127.0.0.1:{config['port']}")


def _await_ready(child: Child) -> None:
    assert child.proc.stdout is not None
    line = child.proc.stdout.readline()
    if line.strip() != "READY":
        raise RuntimeError(f"{child.role} failed to start (exit {child.proc.wait(timeout=15)})")


@dataclass
class Cluster:
    """The sandbox (webhooks and core events → A) and BFF instances A and B on one Redis, all on loopback."""

    sandbox: str
    a: str
    b: str
    redis_prefix: str
    children: list[Child] = field(default_factory=list)

    @classmethod
    @contextlib.contextmanager
    def running(cls, redis_url: str) -> Iterator[Cluster]:
        ports = {"sandbox": free_port(), "a": free_port(), "b": free_port()}
        urls = {k: f"http://127.0.0.1:{p}" for k, p in ports.items()}
        prefix = f"wgbench-{uuid.uuid4().hex[:12]}:"  # this run's own keys, whoever else uses the Redis
        cluster = cls(urls["sandbox"], urls["a"], urls["b"], prefix)
        try:
            cluster.children.append(_start("sandbox", {"port": ports["sandbox"], "a_url": urls["a"]}))
            for name in ("a", "b"):
                config = {
                    "port": ports[name],
                    "sandbox_url": urls["sandbox"],
                    # Gateway return pages point at A; nothing here follows them.
                    "public_url": urls["a"],
                    "redis_url": redis_url,
                    "redis_prefix": prefix,
                }
                cluster.children.append(_start(name, config))
            deadline = time.monotonic() + START_TIMEOUT_S
            for child in cluster.children:
                _await_ready(child)
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{child.role} not ready after {START_TIMEOUT_S:.0f} s")
            yield cluster
        finally:
            for child in reversed(cluster.children):
                child.stop()


# ------------------------------------------------------------------------------------------ the client


async def gql(
    client: httpx.AsyncClient, url: str, query: str, variables: dict[str, Any], token: str | None = None
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(f"GraphQL failed ({response.status_code}): {json.dumps(body)[:500]}")
    data: dict[str, Any] = body["data"]
    return data


async def login(client: httpx.AsyncClient, url: str, email: str) -> str:
    payload = (await gql(client, url, LOGIN, {"email": email, "password": PASSWORD}))["login"]
    if payload["userErrors"] or not payload["accessToken"]:
        raise RuntimeError(f"login failed: {payload}")
    token: str = payload["accessToken"]
    return token


async def pay_hosted_page(
    client: httpx.AsyncClient, checkout_url: str, number: str = GOOD_CARD
) -> httpx.Response:
    """What a browser does on the gateway's hosted page: POST the card form (no redirects followed)."""
    form = {"card_number": number, "card_expiry": "12 / 34", "card_cvc": "123", "card_name": "Bench Payer"}
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
        if ack.get("type") != "connection_ack":
            raise RuntimeError(f"no connection_ack: {ack}")
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.ws.close()

    async def subscribe(self, query: str) -> str:
        self._ids += 1
        op_id = str(self._ids)
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": {"query": query}}))
        return op_id

    async def next(self, timeout_s: float) -> tuple[float, dict[str, Any]]:
        """(arrival time, message) of the next message other than ping/pong."""
        while True:
            raw = await asyncio.wait_for(self.ws.recv(), timeout_s)
            arrived = time.perf_counter()
            message: dict[str, Any] = json.loads(raw)
            if message.get("type") == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            if message.get("type") == "pong":
                continue
            return arrived, message


async def wait_subscribed() -> None:
    """Give the instance time to start the subscription's bus listener (there is no ack for `subscribe`)."""
    await asyncio.sleep(0.5)


# ------------------------------------------------------------------------------------------ measuring


@dataclass
class Sample:
    end_to_end_s: float
    a_answer_s: float
    posts: int  # webhook POSTs the gateway made for this payment


async def measure(cluster: Cluster, samples: int) -> list[Sample]:
    results: list[Sample] = []
    async with httpx.AsyncClient(timeout=30) as client:
        token_a = await login(client, cluster.a, TOPUP_EMAIL)
        token_b = await login(client, cluster.b, TOPUP_EMAIL)
        async with Socket(cluster.b, token_b) as socket_b:
            op = await socket_b.subscribe(SETTLED)
            await wait_subscribed()
            for i in range(WARMUPS + samples):
                amount = Decimal("5.00") + Decimal(i) / 100  # unique: finds this payment's webhooks
                data = await gql(
                    client,
                    cluster.a,
                    TOP_UP,
                    {"input": {"amount": str(amount), "idempotencyKey": uuid.uuid4().hex}},
                    token_a,
                )
                payload = data["topUpWallet"]
                if payload["userErrors"] or not payload["checkoutUrl"]:
                    raise RuntimeError(f"topUpWallet refused: {payload}")
                paid = await pay_hosted_page(client, payload["checkoutUrl"])
                if paid.status_code != 303:
                    raise RuntimeError(f"the hosted page answered {paid.status_code}")
                while True:
                    arrived, message = await socket_b.next(20)
                    if message.get("id") != op or message.get("type") != "next":
                        raise RuntimeError(f"unexpected message on B: {message}")
                    settled = message["payload"]["data"]["paymentSettled"]
                    if Decimal(settled["amount"]["amount"]) == amount:
                        break
                # The gateway may still be POSTing this payment's second event: let it finish.
                await asyncio.sleep(0.05)
                posts = (await client.get(f"{cluster.sandbox}/_bench/posts")).json()
                minor = int(amount * 100)
                mine = [p for p in posts if p["amount"] == minor]
                if not mine:
                    raise RuntimeError(f"no webhook POST seen for {amount}: {posts}")
                first = min(mine, key=lambda p: p["t"])
                if i >= WARMUPS:
                    answered = first.get("answered", float("nan"))
                    results.append(Sample(arrived - first["t"], answered - first["t"], len(mine)))
    return results


async def measure_bus_hop(cluster: Cluster, redis_url: str, samples: int) -> list[float]:
    """The bus hop alone: this process publishes a `payment.settled` bus event (a top-up, so B reads no
    backend for it) straight to the shared Redis channel → the message read from B's socket."""
    from redis.asyncio import Redis

    from bff.core.bus import BusEvent

    hops: list[float] = []
    redis = Redis.from_url(redis_url)
    try:
        async with httpx.AsyncClient(timeout=30) as client:
            token_b = await login(client, cluster.b, TOPUP_EMAIL)
        async with Socket(cluster.b, token_b) as socket_b:
            op = await socket_b.subscribe(SETTLED)
            await wait_subscribed()
            for i in range(WARMUPS + samples):
                amount = f"{900 + i / 100:.2f}"
                event = BusEvent(
                    id=f"bench-hop-{uuid.uuid4().hex}:settled",
                    type="payment.settled",
                    subscriber_id="SUB-1001",
                    data={
                        "kind": "WALLET_TOPUP",
                        "amount": amount,
                        "currency": "USD",
                        "invoice_id": None,
                        "reactivated_subservice_ids": [],
                        "payment_ref": f"pi_bench_{i}",
                    },
                    occurred_at="2026-01-01T00:00:00Z",
                )
                sent = time.perf_counter()
                await redis.publish(f"{cluster.redis_prefix}events", event.to_json())
                arrived, message = await socket_b.next(10)
                if (
                    message.get("id") != op
                    or message["payload"]["data"]["paymentSettled"]["amount"]["amount"] != amount
                ):
                    raise RuntimeError(f"unexpected message on B: {message}")
                if i >= WARMUPS:
                    hops.append(arrived - sent)
    finally:
        await redis.aclose()
    return hops


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(results: list[Sample], hops: list[float], load: tuple[str, str]) -> str:
    e2e = [s.end_to_end_s for s in results]
    a = [s.a_answer_s for s in results]
    posts = sorted({s.posts for s in results})
    lines = [
        "## Webhook → subscription across two instances (`bench/webhook_push.py`)",
        "",
        "Sandbox (gateway + core), BFF instance A and BFF instance B each in its own process under uvicorn on",
        "loopback; A and B share one Redis (same prefix, same JWT secret). The gateway POSTs its webhooks to A",
        "only; this process holds a graphql-transport-ws subscription to `paymentSettled` on B. Each sample is a",
        "real settlement: a wallet top-up started on A (`topUpWallet`, unique amount) and paid on the gateway's",
        "hosted page over HTTP; A verifies the signature, takes the Redis lock, credits Billing, writes the CRM",
        "notification and publishes on the Redis bus; B fans it out to the socket. The sandbox's delivery client",
        "stamps when each webhook POST starts (CLOCK_MONOTONIC, shared by all processes).",
        "",
        f"{len(results)} sequential samples after {WARMUPS} warm-ups; times in ms.",
        f"Machine load at start: {load[0]}; at end: {load[1]}.",
        "",
        "| measured | p50 | p95 | min | max |",
        "|---|---:|---:|---:|---:|",
        f"| gateway starts the webhook POST to A → `paymentSettled` read from B's socket | {ms(pct(e2e, 0.5))} "
        f"| {ms(pct(e2e, 0.95))} | {ms(min(e2e))} | {ms(max(e2e))} |",
        f"| gateway starts the webhook POST to A → A's 2xx answer (A publishes before answering) | "
        f"{ms(pct(a, 0.5))} | {ms(pct(a, 0.95))} | {ms(min(a))} | {ms(max(a))} |",
        f"| the bus hop alone: a `payment.settled` published straight to Redis → read from B's socket "
        f"({len(hops)} samples) | {ms(pct(hops, 0.5))} | {ms(pct(hops, 0.95))} | {ms(min(hops))} | {ms(max(hops))} |",
        "",
        "The end-to-end figure is dominated by A's webhook handling (signature, Redis lock and marks, the",
        "Billing credit, the CRM notification — each a real HTTP call to the sandbox); the cross-instance hop",
        "(Redis pub/sub → B's one reader → the subscription's fan-out → the WebSocket frame) is the last row.",
        "",
        f"Webhook POSTs per payment: {', '.join(map(str, posts))} (`checkout.session.completed` settles; "
        "`payment_intent.succeeded` finds it done).",
    ]
    return "\n".join(lines)


def _redis_url() -> str:
    return os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=60, help="measured samples (default 60, at least 50)")
    parser.add_argument(
        "--write", action="store_true", help="update the webhook-push section of bench/RESULTS.md"
    )
    parser.add_argument("--child", nargs=2, metavar=("ROLE", "CONFIG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1])
        return
    if args.write and args.samples < 50:
        raise SystemExit("--write needs at least 50 samples")
    redis_url = _redis_url()
    load_before = machine_load()
    started = time.perf_counter()
    with Cluster.running(redis_url) as cluster:
        results = asyncio.run(measure(cluster, args.samples))
        hops = asyncio.run(measure_bus_hop(cluster, redis_url, args.samples))
    text = report(results, hops, (load_before, machine_load()))
    print(text)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section("webhook-push", text)


if __name__ == "__main__":
    main()
