"""10,000 idle authenticated subscriptions, one event: time until the last one has it, memory per connection.

Processes on loopback, started as an operator starts them:
- a redis-server of this benchmark's own (a free port, no persistence), never the shared one;
- the BFF: `wispgate serve` (one instance by default; `--instances 2` splits the subscriptions between two
  sharing the Redis), production-like logging at WARNING to /dev/null;
- this process: N WebSocket clients (aiohttp), each with a session of its own (minted straight into Redis, as
  any instance would create them, to spare the CRM 10,000 sign-ins), each subscribed to `paymentSettled` over
  graphql-transport-ws with its token in `connection_init`, as the mobile app does. One subscriber owns them
  all, so one event concerns every one of them — the worst case of the fan-out: every subscription checks its
  session and answers on the same event.

A warm-up event first checks that every subscription receives (it is not timed); then `--events` events, a
few seconds apart, are published on the shared channel from this process, each timed from just before the
PUBLISH to each client's receipt: first, p50, p99 and last. Memory: the instances' RSS (the process and its
children, from /proc) before any connection and with all of them open and idle, divided by N. The clients run
in this process on the same cores, so the times include their own reading of 10,000 messages.

Run: `python bench/subscriptions.py [--subscriptions N] [--instances 1|2] [--write]` on an idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import aiohttp
from redis.asyncio import Redis

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import cpu_seconds, machine_load, pct  # noqa: E402
from bench.results import write_section  # noqa: E402
from bff.core.auth.sessions import RedisSessionStore  # noqa: E402
from bff.core.auth.tokens import TokenService  # noqa: E402
from bff.core.auth.viewer import Identity, Viewer  # noqa: E402
from bff.core.bus import PAYMENT_SETTLED, SETTLED_WALLET_TOPUP, BusEvent  # noqa: E402

JWT_SECRET = "bench-jwt-secret-0123456789abcdef-0123456789"
SUBSCRIBER = "SUB-BENCH-SUBS"
OWNER = Identity("U-BENCH-SUBS", "subs@bench.example", "Bench Owner", "OWNER", SUBSCRIBER, frozenset())
SETTLED = "subscription { paymentSettled { kind amount { amount currency } } }"
OPENING_AT_ONCE = 250
READY_S = 120.0
OPEN_S = 60.0  # one connection's handshake, connection_init and ack
DELIVERY_S = 300.0
SETTLE_S = 5.0
BUSY_PRESSURE = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def raise_file_limit(needed: int) -> int:
    """Every client socket is a file descriptor here and another in an instance (which inherits this)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    if target < needed:
        raise SystemExit(f"needs {needed} open files, the hard limit is {hard}: raise it (ulimit -Hn)")
    return target


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
            return bool(response.status == 200)
    except OSError:
        return False


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str] | None, ready: Callable[[], bool]) -> Iterator[int]:
    """`command` started, until `ready()`; its pid; stopped on exit."""
    process = subprocess.Popen(  # noqa: S603 - our own entry points and redis-server
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + READY_S
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(command)} did not start")
            time.sleep(0.1)
        yield process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_bytes(pid: int) -> int:
    """Resident memory of `pid` and its descendants."""
    total = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for child in task.read_text().split():
                total += rss_bytes(int(child))
    return total


def family_cpu(pid: int) -> float:
    total = cpu_seconds(pid)
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for child in task.read_text().split():
                total += family_cpu(int(child))
    return total


def instance_env(redis_url: str, prefix: str) -> dict[str, str]:
    prefixes = ("WISPGATE_", "SANDBOX_", "REDIS_", "BILLING_", "CRM_", "AAA_", "OSS_", "GATEWAY_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    nowhere = "http://127.0.0.1:9"  # the subscriptions measured read nothing from a backend
    return {
        **env,
        "WISPGATE_ENV": "development",
        "REDIS_URL": redis_url,
        "REDIS_PREFIX": prefix,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
        "WEB_DIST": str(ROOT / "no-web-dist"),
        "JWT_SECRET": JWT_SECRET,
        "FILES_SIGNING_KEY": "bench-files-key-0123456789abcdef-0123456789",
        **{f"{s.upper()}_URL": nowhere for s in ("billing", "crm", "aaa", "oss")},
    }


async def mint_tokens(redis_url: str, prefix: str, count: int) -> list[str]:
    redis = Redis.from_url(redis_url)
    store = RedisSessionStore(redis, timedelta(days=1), prefix)
    tokens = TokenService(
        JWT_SECRET, issuer="wispgate-portal", audience="wispgate-portal", ttl=timedelta(hours=1)
    )
    try:
        minted = []
        for _ in range(count):
            session, _refresh = await store.create(OWNER.user_id, "bench", "127.0.0.1", OWNER)
            minted.append(tokens.issue(Viewer.of_identity(OWNER, session.id, session.version)).token)
        return minted
    finally:
        await redis.aclose()


def event(n: int) -> str:
    return BusEvent(
        id=f"bench-subs-{n}",
        type=PAYMENT_SETTLED,
        subscriber_id=SUBSCRIBER,
        data={"kind": SETTLED_WALLET_TOPUP, "amount": f"{n}.00", "currency": "USD"},
        occurred_at="2026-11-25T10:00:00Z",
    ).to_json()


@dataclass
class Client:
    url: str
    token: str
    received: dict[str, float] = field(default_factory=dict)  # amount → monotonic receipt time
    subscribed: bool = False  # its `subscribe` was sent
    ended: str | None = None

    async def run(self, session: aiohttp.ClientSession, opened: asyncio.Semaphore) -> None:
        try:
            await self._run(session, opened)
        except (aiohttp.ClientError, OSError, ValueError, TimeoutError) as exc:
            self.ended = f"{type(exc).__name__}: {exc}"

    async def _run(self, session: aiohttp.ClientSession, opened: asyncio.Semaphore) -> None:
        async with opened, asyncio.timeout(OPEN_S):
            ws = await session.ws_connect(self.url, protocols=("graphql-transport-ws",), autoping=True)
            init = {"type": "connection_init", "payload": {"authorization": f"Bearer {self.token}"}}
            await ws.send_str(json.dumps(init))
            ack = json.loads((await ws.receive()).data)
            if ack.get("type") != "connection_ack":
                self.ended = f"no ack: {ack}"
                await ws.close()
                return
            await ws.send_str(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": SETTLED}}))
            self.subscribed = True
        try:
            async for message in ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                at = time.monotonic()
                body = json.loads(message.data)
                kind = body.get("type")
                if kind == "next":
                    data = (body.get("payload") or {}).get("data") or {}
                    amount = ((data.get("paymentSettled") or {}).get("amount") or {}).get("amount")
                    self.received[str(amount)] = at
                elif kind == "ping":
                    await ws.send_str(json.dumps({"type": "pong"}))
                elif kind in ("complete", "error"):
                    self.ended = str(body)
                    return
            self.ended = f"closed {ws.close_code}"
        finally:
            await ws.close()


@dataclass
class Delivery:
    amount: str
    published_at: float
    times: list[float]  # seconds from publishing to each receipt
    missing: int
    cpu_s: float


async def wait_for(clients: list[Client], amount: str, within_s: float) -> None:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if all(amount in c.received or c.ended for c in clients):
            return
        await asyncio.sleep(0.05)


@dataclass
class Run:
    instances: int
    subscriptions: int
    rss_before: list[int]
    rss_idle: list[int]
    open_s: float
    warmup_missing: int
    deliveries: list[Delivery]
    redis_clients: int
    ended: int


async def measure(
    n: int, instances: int, events: int, redis_url: str, prefix: str, pids: list[int], ports: list[int]
) -> Run:
    rss_before = [rss_bytes(p) for p in pids]
    tokens = await mint_tokens(redis_url, prefix, n)
    clients = [Client(f"ws://127.0.0.1:{ports[i % instances]}/graphql", t) for i, t in enumerate(tokens)]
    connector = aiohttp.TCPConnector(limit=0)
    redis = Redis.from_url(redis_url)
    async with aiohttp.ClientSession(connector=connector) as session:
        opened = asyncio.Semaphore(OPENING_AT_ONCE)
        started_at = time.monotonic()
        tasks = [asyncio.create_task(c.run(session, opened)) for c in clients]
        deadline = time.monotonic() + DELIVERY_S
        while not all(c.subscribed or c.ended for c in clients) and time.monotonic() < deadline:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
        open_s = time.monotonic() - started_at
        await asyncio.sleep(SETTLE_S)  # the instances register the last subscriptions and go idle

        await redis.publish(f"{prefix}events", event(0))
        await wait_for(clients, "0.00", DELIVERY_S)
        warmup_missing = sum(1 for c in clients if "0.00" not in c.received)
        await asyncio.sleep(SETTLE_S)
        rss_idle = [rss_bytes(p) for p in pids]

        deliveries = []
        for number in range(1, events + 1):
            amount = f"{number}.00"
            cpu0 = sum(family_cpu(p) for p in pids)
            published_at = time.monotonic()
            await redis.publish(f"{prefix}events", event(number))
            await wait_for(clients, amount, DELIVERY_S)
            cpu1 = sum(family_cpu(p) for p in pids)
            times = sorted(c.received[amount] - published_at for c in clients if amount in c.received)
            deliveries.append(Delivery(amount, published_at, times, n - len(times), cpu1 - cpu0))
            print(
                f"event {number}: last after {times[-1]:.3f} s, {n - len(times)} missing"
                if times
                else "none",
                flush=True,
            )
            await asyncio.sleep(SETTLE_S)
        redis_clients = len(await redis.client_list()) - 1  # not this one
        ended = sum(1 for c in clients if c.ended)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    await redis.aclose()
    return Run(instances, n, rss_before, rss_idle, open_s, warmup_missing, deliveries, redis_clients, ended)


def mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def report(run: Run, load_before: str, load_after: str, pressure: float | None) -> str:
    n = run.subscriptions
    per_connection = (sum(run.rss_idle) - sum(run.rss_before)) / n
    lines = [
        f"## Subscriptions at scale: one event to {n:,} idle subscriptions on {run.instances} instance(s) "
        "(`bench/subscriptions.py`)",
        "",
        f"{n:,} WebSocket subscriptions (`paymentSettled`, graphql-transport-ws, each with a session of its own) "
        f"on {run.instances} instance(s) of `wispgate serve` sharing a redis-server of the benchmark's own; one "
        "subscriber owns them all, so every event is delivered to every one (each checks its session first: "
        "batched into one pipelined Redis round trip per loop turn). Clients: aiohttp, in the benchmark's "
        "process on the same cores, so the times include their reading of the messages. Times from just "
        "before the PUBLISH to each client's receipt.",
        "",
        "| event | received | first | p50 | p99 | last | BFF CPU for the event |",
        "|---|---|---|---|---|---|---|",
    ]
    for d in run.deliveries:
        if d.times:
            lines.append(
                f"| {d.amount} | {len(d.times):,} / {n:,} | {d.times[0] * 1000:.0f} ms | "
                f"{pct(d.times, 0.5) * 1000:.0f} ms | {pct(d.times, 0.99) * 1000:.0f} ms | "
                f"{d.times[-1] * 1000:.0f} ms | {d.cpu_s:.2f} s |"
            )
        else:
            lines.append(f"| {d.amount} | 0 / {n:,} | – | – | – | – | {d.cpu_s:.2f} s |")
    lines += [
        "",
        f"- Memory: instance RSS {' + '.join(mib(b) for b in run.rss_before)} before any connection, "
        f"{' + '.join(mib(b) for b in run.rss_idle)} with all {n:,} open and idle: "
        f"**{per_connection / 1024:.0f} KiB per subscribed connection**.",
        f"- Opening all {n:,} ({OPENING_AT_ONCE} at a time): {run.open_s:.1f} s. Warm-up event not received by "
        f"{run.warmup_missing}; subscriptions ended by the server during the run: {run.ended}.",
        f"- Redis connections held by the instance(s) at the end: {run.redis_clients} (command pool in use + "
        "one subscriber each), whatever the number of subscriptions.",
        "- Before this change (issue 8): of 1,000 subscriptions, 99 received an event; the other 901 session "
        'checks were refused by the Redis pool ("Too many connections") and their subscriptions ended.',
        f"- Machine: {load_before} before, {load_after} after.",
    ]
    if pressure is not None and pressure > BUSY_PRESSURE:
        lines.append(
            f"- **The machine was busy** (CPU pressure {pressure:.0f} % over the last minute, other work "
            "running): the times are inflated by it; the memory and the counts are not."
        )
    return "\n".join(lines)


def cpu_pressure() -> float | None:
    with contextlib.suppress(OSError, IndexError, ValueError, KeyError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()
        return float(dict(f.split("=") for f in some[1:])["avg60"])
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subscriptions", type=int, default=10_000)
    parser.add_argument("--instances", type=int, choices=(1, 2), default=1)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--write", action="store_true", help="rewrite this section of bench/RESULTS.md")
    args = parser.parse_args()
    raise_file_limit(args.subscriptions + 1024)
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("needs redis-server on PATH")
    redis_port = free_port()
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    prefix = f"bench-subs-{uuid.uuid4().hex[:8]}:"
    load_before = machine_load()
    wispgate = Path(sys.executable).with_name("wispgate")
    serve = [str(wispgate)] if wispgate.exists() else [sys.executable, "-m", "bff.server.cli"]
    with contextlib.ExitStack() as stack, tempfile.TemporaryDirectory() as directory:
        redis_command = [binary, "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""]
        redis_command += ["--appendonly", "no", "--dir", directory, "--maxclients", "20000"]
        stack.enter_context(started(redis_command, None, lambda: _redis_answers(redis_port)))
        ports = [free_port() for _ in range(args.instances)]
        pids = [
            stack.enter_context(
                started(
                    [*serve, "serve", "--port", str(port)],
                    instance_env(redis_url, prefix),
                    lambda port=port: _answers(f"http://127.0.0.1:{port}/readyz"),  # type: ignore[misc]
                )
            )
            for port in ports
        ]
        run = asyncio.run(
            measure(args.subscriptions, args.instances, args.events, redis_url, prefix, pids, ports)
        )
    pressure = cpu_pressure()
    text = report(run, load_before, machine_load(), pressure)
    print(text)
    if args.write:
        # One section per arrangement: the default (one instance) is what `make bench` runs.
        write_section("subscriptions" if args.instances == 1 else "subscriptions-2-instances", text)


if __name__ == "__main__":
    main()
