"""`kill -9` inside each step of a settlement, then the gateway's redelivery: exactly once, with Redis kept and
with Redis flushed in between; and the CRM's answer lost on the way back.

Real processes on loopback: the core sandbox (`wispgate sandbox`), a Redis server of this module's own (so
it can be flushed without touching anyone else's), instance B (`wispgate serve`, alive throughout: the
subscriber's WebSocket is on it, its CRM behind a fault proxy) and, for each case, instance A started by
`crashing_serve`, which SIGKILLs itself right after one step. A and B share the Redis (marks, leases, bus).

Each case pays a fresh Harbor View apartment's open invoice on the gateway's hosted page, the apartment
first suspended for NON_PAYMENT. The gateway's own webhook deliveries are held (no URL), so the test is the
gateway: it POSTs `payment_intent.succeeded` to A, which dies after the step; then, Redis flushed or not, the
same event again and `checkout.session.completed` to B. It then counts in the systems of record and on the
subscriber's sockets: one payment, one notification, one e-mail, one reactivation, one push.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

from adapters.wispgate.signing import sign
from bff.core.payments.effects import STEPS
from sandbox.settings import SandboxSettings
from sandbox.world import DEMO_PASSWORD
from tests.harness.cluster import SERVICE_KEY, Socket, pay_hosted_page, wait_subscribed
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.portal import BASE_ENV
from tests.harness.process import READY_TIMEOUT_S, REPO, Child, free_port, product_env, served, wispgate

pytest.importorskip("websockets")

SUBSCRIBER = "SUB-3001"  # Harbor View: forty apartments, an open invoice each
MANAGER = "manager@harborview.example"
OPERATOR_KEY = SandboxSettings.operator_key
WAIT_S = 20.0  # for the push that must come
GRACE_S = 1.5  # for a second push that must not

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password, tokenDelivery: BODY}) { accessToken userErrors { code } }
}
"""
OPEN_INVOICES = """
query Open {
  viewer { subscriber { invoices(first: 50, status: OPEN) { nodes { id number subService { id } } } } }
}
"""
PAY = """
mutation Pay($input: PayInvoiceInput!) { payInvoice(input: $input) { checkoutUrl userErrors { code message } } }
"""
SETTLED = "subscription Settled { paymentSettled { kind invoice { id } reactivated { id } } }"

CASES = [(step, flushed) for flushed in (False, True) for step in STEPS]


def raw_id(global_id: str) -> str:
    return base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode().partition(":")[2]


def bff_env(sandbox: str, public_url: str, redis_url: str, prefix: str, crm_url: str) -> dict[str, str]:
    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(REPO / "no-web-dist"),
        "JWT_SECRET": BASE_ENV["JWT_SECRET"],
        "FILES_SIGNING_KEY": BASE_ENV["FILES_SIGNING_KEY"],
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "PUBLIC_URL": public_url,
        "GATEWAY_URL": f"{sandbox}/_sandbox/gateway",
        "GATEWAY_SECRET_KEY": SandboxSettings.gateway_secret_key,
        "GATEWAY_WEBHOOK_SECRET": SandboxSettings.gateway_webhook_secret,
        "CORE_EVENTS_SECRET": SandboxSettings.events_secret,
    }
    for system in ("billing", "crm", "aaa", "oss"):
        env[f"{system.upper()}_URL"] = f"{sandbox}/_sandbox/{system}"
        env[f"{system.upper()}_API_KEY"] = SERVICE_KEY
    env["CRM_URL"] = crm_url
    # What this test checks is exactly-once settlement across kills, not latency: the spare instance it starts
    # meanwhile imports on the same two cores, and on a busy machine a CRM read past the default 2 s deadline
    # failed the payment before any kill (seen at load average 10).
    for system in ("BILLING", "CRM", "AAA", "OSS", "GATEWAY"):
        env[f"{system}_DEADLINE_S"] = "10"
    return product_env(**env)


@dataclass(frozen=True)
class Apartment:
    invoice_id: str
    invoice_gid: str
    number: str
    subservice_id: str


@dataclass
class Rig:
    sandbox: str
    b: str
    data_dir: Path
    redis_url: str
    prefix: str
    crm_proxy: FaultProxy
    apartments: list[Apartment]
    token: str  # the manager's access token on B
    spares: dict[str, tuple[Child, str]] = field(default_factory=dict)  # A instances started ahead, by step
    figures: list[str] = field(default_factory=list)

    # ---- instances ---------------------------------------------------------------------------------------

    def _start_a(self, step: str) -> tuple[Child, str]:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            sys.executable,
            "-m",
            "tests.bff.core.payments.crashing_serve",
            step,
            "serve",
            "--port",
            str(port),
        ]
        env = bff_env(self.sandbox, url, self.redis_url, self.prefix, f"{self.sandbox}/_sandbox/crm")
        return Child(f"crashing serve ({step})", command, env, f"{url}/readyz"), url

    def crashing(self, step: str, then: str | None) -> tuple[Child, str]:
        """A ready instance that dies after `step` and its URL; one for the `then` step starts meanwhile."""
        child, url = self.spares.pop(step) if step in self.spares else self._start_a(step)
        if then is not None and then not in self.spares:
            self.spares[then] = self._start_a(then)
        child.wait_ready(time.monotonic() + READY_TIMEOUT_S)
        return child, url

    def flush(self) -> None:
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.flushdb()
        finally:
            client.close()

    # ---- the systems of record ---------------------------------------------------------------------------

    def _scalar(self, system: str, sql: str, params: tuple[Any, ...]) -> int:
        uri = f"file:{self.data_dir / f'{system}.sqlite3'}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
            return int(db.execute(sql, params).fetchone()[0])

    def counts(self, apartment: Apartment) -> dict[str, int]:
        return {
            "payments": self._scalar(
                "billing", "SELECT COUNT(*) FROM payments WHERE invoice_id = ?", (apartment.invoice_id,)
            ),
            "notifications": self._scalar(
                "crm",
                "SELECT COUNT(*) FROM notifications WHERE subservice_id = ? AND kind = 'PAYMENT_RECEIVED'",
                (apartment.subservice_id,),
            ),
            "emails": self._scalar(
                "crm",
                "SELECT COUNT(*) FROM email_outbox WHERE subscriber_id = ? AND body LIKE ?",
                (SUBSCRIBER, f"%for invoice {apartment.number}.%"),
            ),
            "reactivations": self._scalar(
                "aaa",
                "SELECT COUNT(*) FROM aaa_status_history WHERE subservice_id = ? AND to_status = 'ACTIVE'"
                " AND from_status IS NOT NULL",
                (apartment.subservice_id,),
            ),
        }

    def status(self, apartment: Apartment) -> str:
        uri = f"file:{self.data_dir / 'aaa.sqlite3'}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
            row = db.execute(
                "SELECT status FROM aaa_subservice WHERE id = ?", (apartment.subservice_id,)
            ).fetchone()
        return str(row[0])

    def events_after(self, seq: int) -> dict[str, bytes]:
        """The gateway's events since `seq`, by type, exactly as it would deliver them."""
        uri = f"file:{self.data_dir / 'gateway.sqlite3'}?mode=ro"
        with contextlib.closing(sqlite3.connect(uri, uri=True, timeout=10)) as db:
            rows = db.execute(
                "SELECT type, body FROM event_outbox WHERE seq > ? ORDER BY seq", (seq,)
            ).fetchall()
        return {type_: body.encode() for type_, body in rows}

    def last_event_seq(self) -> int:
        return self._scalar("gateway", "SELECT COALESCE(MAX(seq), 0) FROM event_outbox", ())


@contextlib.contextmanager
def own_redis() -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - a fixed command line
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.RedisError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.skip("could not start a redis-server of this module's own")
                time.sleep(0.05)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(10)


def _sign_in_sync(url: str) -> str:
    answer = httpx.post(
        f"{url}/graphql",
        json={"query": LOGIN, "variables": {"email": MANAGER, "password": DEMO_PASSWORD}},
        timeout=30,
    )
    token: str = answer.json()["data"]["login"]["accessToken"]
    return token


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    data_dir = tmp_path_factory.mktemp("crash") / "sandbox"
    with own_redis() as redis_url:
        ports = {"sandbox": free_port(), "b": free_port()}
        sandbox, b = (f"http://127.0.0.1:{ports[n]}" for n in ("sandbox", "b"))
        proxy = FaultProxy("127.0.0.1", ports["sandbox"]).start()
        prefix = f"wgcrash-{uuid.uuid4().hex[:8]}:"
        sandbox_env = product_env(
            SANDBOX_SERVICE_KEY=SERVICE_KEY,
            SANDBOX_DATA_DIR=str(data_dir),
            SANDBOX_EVENTS_URL=f"{b}/hooks/core",
            SANDBOX_PUBLIC_URL=f"{sandbox}/_sandbox",
        )
        children = [
            (
                "wispgate sandbox",
                wispgate("sandbox", "--port", str(ports["sandbox"])),
                sandbox_env,
                f"{sandbox}/_sandbox/",
            ),
            (
                "wispgate serve (B)",
                wispgate("serve", "--port", str(ports["b"])),
                bff_env(sandbox, b, redis_url, prefix, f"{proxy.url}/_sandbox/crm"),
                f"{b}/readyz",
            ),
        ]
        made = Rig(sandbox, b, data_dir, redis_url, prefix, proxy, [], "")
        try:
            with served(*children):
                made.token = _sign_in_sync(b)
                answer = httpx.post(
                    f"{b}/graphql",
                    json={"query": OPEN_INVOICES},
                    headers={"authorization": f"Bearer {made.token}"},
                    timeout=30,
                )
                nodes = answer.json()["data"]["viewer"]["subscriber"]["invoices"]["nodes"]
                made.apartments = [
                    Apartment(raw_id(n["id"]), n["id"], n["number"], raw_id(n["subService"]["id"]))
                    for n in nodes
                ]
                yield made
        finally:
            for child, _url in made.spares.values():
                child.stop()
            proxy.stop()
            for line in made.figures:
                print(line)  # the figures the report quotes (run with -s)


# ---- one payment, as the subscriber and the gateway make it ---------------------------------------------


@dataclass(frozen=True)
class Payment:
    apartment: Apartment
    intent_succeeded: bytes
    session_completed: bytes


def signed(body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "stripe-signature": sign(SandboxSettings.gateway_webhook_secret, body),
    }


async def new_payment(rig: Rig, http: httpx.AsyncClient) -> Payment:
    """A fresh apartment suspended for NON_PAYMENT, its invoice paid on the hosted page: the gateway's two
    events for it, not delivered yet."""
    apartment = rig.apartments.pop()
    suspended = await http.post(
        f"{rig.sandbox}/_sandbox/aaa/v1/ops/subservices/{apartment.subservice_id}/suspend",
        json={"reason": "NON_PAYMENT", "note": "test: unpaid"},
        headers={"x-api-key": OPERATOR_KEY},
    )
    assert suspended.status_code == 200, suspended.text
    seq = rig.last_event_seq()
    pay = await http.post(
        f"{rig.b}/graphql",
        json={
            "query": PAY,
            "variables": {"input": {"invoiceId": apartment.invoice_gid, "idempotencyKey": uuid.uuid4().hex}},
        },
        headers={"authorization": f"Bearer {rig.token}"},
    )
    assert pay.json().get("data"), pay.text
    payload = pay.json()["data"]["payInvoice"]
    assert payload["userErrors"] == [] and payload["checkoutUrl"], payload
    paid = await pay_hosted_page(http, payload["checkoutUrl"])
    assert paid.status_code == 303, paid.text[:300]
    events = rig.events_after(seq)
    return Payment(apartment, events["payment_intent.succeeded"], events["checkout.session.completed"])


async def deliver(http: httpx.AsyncClient, url: str, body: bytes) -> httpx.Response:
    """As the gateway delivers: again, a little later, while the answer is 503 (another instance holds the
    event, or a backend is still recovering)."""
    for _ in range(5):
        response = await http.post(f"{url}/webhooks/gateway", content=body, headers=signed(body))
        if response.status_code != 503:
            return response
        await asyncio.sleep(0.5)
    return response


async def pushes(subscribed: list[tuple[Socket, str]], invoice_gid: str) -> int:
    """`paymentSettled` messages for the invoice on every socket: until the first arrives (bounded), then
    for a short grace in which a second one must not."""
    count = 0
    first: asyncio.Event = asyncio.Event()

    async def read(socket: Socket, op: str) -> None:
        nonlocal count
        deadline = time.monotonic() + WAIT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                message = await socket.next(remaining)
            except Exception:  # a timeout, or a socket closed: this one has nothing more
                return
            if message.get("type") != "next" or message.get("id") != op:
                continue  # `complete`: a subscription whose session went with the flushed Redis
            settled = message["payload"]["data"]["paymentSettled"]
            if settled["invoice"]["id"] == invoice_gid:
                count += 1
                if not first.is_set():
                    first.set()
                    deadline = min(deadline, time.monotonic() + GRACE_S)

    readers = [asyncio.create_task(read(s, op)) for s, op in subscribed]

    async def grace_after_first() -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(first.wait(), WAIT_S)
        await asyncio.sleep(GRACE_S)
        for reader in readers:
            reader.cancel()

    await asyncio.gather(grace_after_first(), *readers, return_exceptions=True)
    return count


# ---- the cases ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "flushed"), CASES, ids=[f"{s}-{'flushed' if f else 'kept'}" for s, f in CASES]
)
async def test_a_kill_after_each_step_then_redelivery_settles_exactly_once(
    rig: Rig, step: str, flushed: bool
) -> None:
    index = CASES.index((step, flushed))
    then = CASES[index + 1][0] if index + 1 < len(CASES) else None
    a, a_url = rig.crashing(step, then)
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        socket = await stack.enter_async_context(Socket(rig.b, rig.token))
        subscribed = [(socket, await socket.subscribe(SETTLED))]
        await wait_subscribed()
        payment = await new_payment(rig, http)
        apartment = payment.apartment

        with pytest.raises(httpx.TransportError):
            await http.post(
                f"{a_url}/webhooks/gateway",
                content=payment.intent_succeeded,
                headers=signed(payment.intent_succeeded),
            )
        assert a.process.wait(15) == -signal.SIGKILL, a.output()
        killed = time.monotonic()
        a.stop()
        at_crash = rig.counts(apartment)

        if flushed:
            rig.flush()  # marks, leases and sessions gone: the subscriber signs in again
            token = rig.token = await login(http, rig.b)
            again = await stack.enter_async_context(Socket(rig.b, token))
            subscribed.append((again, await again.subscribe(SETTLED)))
            await wait_subscribed()

        retried = await deliver(http, rig.b, payment.intent_succeeded)
        waited = time.monotonic() - killed
        assert retried.status_code == 200, retried.text
        other = await deliver(http, rig.b, payment.session_completed)
        assert other.status_code == 200, other.text
        pushed = await pushes(subscribed, apartment.invoice_gid)

    counts = rig.counts(apartment)
    rig.figures.append(
        f"kill after {step:<16} redis {'flushed' if flushed else 'kept':<7}: at the kill {at_crash}; after"
        f" redelivery {counts}, pushes {pushed}; B answered {waited:.1f} s after the kill"
    )
    assert counts == {"payments": 1, "notifications": 1, "emails": 1, "reactivations": 1}
    assert pushed == 1
    assert rig.status(apartment) == "ACTIVE"
    # A holder killed with its lease is waited for the lease's few seconds, not a minute.
    assert waited < 30


async def login(http: httpx.AsyncClient, url: str) -> str:
    answer = await http.post(
        f"{url}/graphql", json={"query": LOGIN, "variables": {"email": MANAGER, "password": DEMO_PASSWORD}}
    )
    token: str = answer.json()["data"]["login"]["accessToken"]
    return token


async def test_the_crms_answer_lost_then_redelivery_notifies_once(rig: Rig) -> None:
    async with contextlib.AsyncExitStack() as stack:
        http = await stack.enter_async_context(httpx.AsyncClient(timeout=30))
        socket = await stack.enter_async_context(Socket(rig.b, rig.token))
        subscribed = [(socket, await socket.subscribe(SETTLED))]
        await wait_subscribed()
        payment = await new_payment(rig, http)
        connections = rig.crm_proxy.connections
        with rig.crm_proxy.fault(Mode.DROP):
            lost = await http.post(
                f"{rig.b}/webhooks/gateway",
                content=payment.intent_succeeded,
                headers=signed(payment.intent_succeeded),
            )
        assert lost.status_code == 503, lost.text
        attempts = rig.crm_proxy.connections - connections  # B's CRM client retries a keyed write
        at_loss = rig.counts(payment.apartment)
        assert at_loss["notifications"] == 1  # the CRM did it; only its answer was lost
        retried = await deliver(http, rig.b, payment.intent_succeeded)
        assert retried.status_code == 200, retried.text
        pushed = await pushes(subscribed, payment.apartment.invoice_gid)
    counts = rig.counts(payment.apartment)
    rig.figures.append(
        f"CRM answer dropped ({attempts} attempt(s) reached the CRM): at the loss {at_loss};"
        f" after redelivery {counts}, pushes {pushed}"
    )
    assert counts == {"payments": 1, "notifications": 1, "emails": 1, "reactivations": 1}
    assert pushed == 1


async def test_a_settled_payment_redelivered_after_redis_lost_everything_changes_nothing(rig: Rig) -> None:
    # The table's "an event redelivered after a Redis restart": each delivery finds no mark and runs again.
    async with httpx.AsyncClient(timeout=30) as http:
        payment = await new_payment(rig, http)
        results = []
        for _ in range(3):
            for body in (payment.intent_succeeded, payment.session_completed):
                rig.flush()
                answer = await deliver(http, rig.b, body)
                assert answer.status_code == 200, answer.text
                results.append(answer.json()["result"])
        rig.token = await login(http, rig.b)
    counts = rig.counts(payment.apartment)
    rig.figures.append(f"settled 6 times, Redis flushed before each: {counts}; answers {results}")
    assert results == ["settled"] * 6  # nothing remembered it: every delivery ran every step
    assert counts == {"payments": 1, "notifications": 1, "emails": 1, "reactivations": 1}
