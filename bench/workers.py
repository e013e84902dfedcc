"""Dashboard pages per second with 1 and 2 BFF worker processes (`wispgate serve --workers N`), 50 clients.

Three kinds of process on loopback, started as an operator starts them:
- the core sandbox (`wispgate sandbox`), with the bench subscriber's N sub-services;
- the BFF (`wispgate serve --workers W`, Redis-backed as more than one worker must be, production-like
  logging: JSON lines at INFO to /dev/null);
- this process: `CLIENTS` concurrent clients (aiohttp, cheaper per request than httpx), each signed in with its own
  session (bearer token) and loading the web's dashboard page over and over: `DashboardSummary` and `DashboardServices`
  (read from `web/src/pages/DashboardPage.tsx`) sent at once, as urql does. A page counts when both answered
  without errors.

Each worker count: `WARMUP_S` of load, then `MEASURE_S` measured: pages/s, page latency p50 / p99, and the CPU
seconds per page each party used (scheduler time of every thread, from /proc), to show where the machine's
cores went. Run: `python bench/workers.py [--write]` on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import DASHBOARD_PAGE, PASSWORD, cpu_seconds, machine_load, pct, web_operation  # noqa: E402
from bench.results import write_section  # noqa: E402

CLIENTS = 50
SUBSERVICES = 10
WORKERS = (1, 2)
WARMUP_S = 5.0
MEASURE_S = 20.0
SERVICE_KEY = "bench-service-key"
BENCH_EMAIL = "bench@bench.example"  # sandbox/world/bench.py
READY_S = 120.0


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wispgate(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("wispgate")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "bff.server.cli", *args]


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own loopback URL
            return str(response.read().decode())
    except OSError:
        return None


def _clean_env(**extra: str) -> dict[str, str]:
    prefixes = ("WISPGATE_", "SANDBOX_", "REDIS_", "BILLING_", "CRM_", "AAA_", "OSS_", "GATEWAY_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    return {**env, **extra}


@contextlib.contextmanager
def started(command: list[str], env: dict[str, str], ready: Any) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(  # noqa: S603 - our own entry point
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + READY_S
        while not ready():
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(command)} did not start")
            time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def family(pid: int) -> list[int]:
    """`pid` and its descendants (the workers of a `wispgate serve`)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError, ValueError):
            for child in task.read_text().split():
                found += family(int(child))
    return found


def cpu_of(pids: list[int]) -> float:
    return sum(cpu_seconds(p) for p in pids)


@dataclass
class Run:
    workers: int
    pages: int
    seconds: float
    latencies: list[float]
    errors: int
    cpu_bff: float
    cpu_sandbox: float
    cpu_client: float


async def load(
    base: str, token: str, first: int, until: float, start_at: float, latencies: list[float]
) -> int:
    summary = web_operation("DashboardSummary", DASHBOARD_PAGE)
    services = web_operation("DashboardServices", DASHBOARD_PAGE)
    variables = {"first": first, "after": None, "kind": None, "status": None}
    headers = {"Authorization": f"Bearer {token}"}
    errors = 0
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(base_url=base, headers=headers, connector=connector) as session:

        async def one(name: str, query: str, variables: dict[str, Any]) -> bool:
            body = {"operationName": name, "query": query, "variables": variables}
            try:
                async with session.post("/graphql", json=body) as response:
                    if response.status != 200:
                        await response.read()
                        return False
                    payload = await response.json()
                    return not payload.get("errors")
            except aiohttp.ClientError:  # a connection reset by an overloaded (or restarted) worker
                return False

        while time.monotonic() < until:
            began = time.monotonic()
            ok = await asyncio.gather(
                one("DashboardSummary", summary, {}), one("DashboardServices", services, variables)
            )
            if not all(ok):
                errors += 1
            elif began >= start_at and time.monotonic() <= until:
                latencies.append(time.monotonic() - began)
    return errors


async def sign_in(base: str, sessions: int) -> tuple[list[str], int]:
    """A signed-in session per client, as `sessions` people would have: the BFF shares identical backend reads
    in flight only within a session, so one token for every client would flatter it."""
    login = """mutation BenchLogin($email: String!, $password: String!) {
      login(input: { email: $email, password: $password, tokenDelivery: BODY }) { accessToken }
    }"""
    tokens: list[str] = []
    async with aiohttp.ClientSession(base_url=base) as session:
        variables = {"email": BENCH_EMAIL, "password": PASSWORD}
        for _ in range(sessions):
            async with session.post("/graphql", json={"query": login, "variables": variables}) as response:
                tokens.append((await response.json())["data"]["login"]["accessToken"])
    # DashboardPage.tsx: `first` is 24 for a multi-site subscriber (the bench one is an enterprise).
    return tokens, 24


def measure(workers: int, sandbox_url: str, sandbox_pid: int, redis_url: str) -> Run:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = _clean_env(
        WISPGATE_ENV="development",
        REDIS_URL=redis_url,
        REDIS_PREFIX=f"bench-{uuid.uuid4().hex[:8]}:",
        LOG_FORMAT="json",
        LOG_LEVEL="INFO",
        # Throughput, not shedding, is measured here: CLIENTS pages (two requests each) may be in flight.
        MAX_IN_FLIGHT="100000",
        WEB_DIST=str(ROOT / "no-web-dist"),
        JWT_SECRET="bench-jwt-secret-0123456789abcdef-0123456789",  # noqa: S106 - a benchmark's own
        FILES_SIGNING_KEY="bench-files-key-0123456789abcdef-0123456789",
        **{f"{s.upper()}_URL": f"{sandbox_url}/_sandbox/{s}" for s in ("billing", "crm", "aaa", "oss")},
        **{f"{s.upper()}_API_KEY": SERVICE_KEY for s in ("billing", "crm", "aaa", "oss")},
    )

    def ready() -> bool:
        text = _get(f"{base}/metrics") or ""
        return f"wispgate_workers {workers:.1f}" in text

    command = _wispgate("serve", "--port", str(port), "--workers", str(workers))
    with started(command, env, ready) as bff:
        tokens, first = asyncio.run(sign_in(base, CLIENTS))
        latencies: list[float] = []

        async def drive() -> tuple[int, float, float, float, float]:
            now = time.monotonic()
            start_at, until = now + WARMUP_S, now + WARMUP_S + MEASURE_S
            clients = [
                asyncio.create_task(load(base, token, first, until, start_at, latencies)) for token in tokens
            ]
            await asyncio.sleep(max(0.0, start_at - time.monotonic()))
            pids = family(bff.pid)
            cpu0 = (cpu_of(pids), cpu_seconds(sandbox_pid), cpu_seconds(os.getpid()))
            errors = sum(await asyncio.gather(*clients))
            cpu1 = (cpu_of(pids), cpu_seconds(sandbox_pid), cpu_seconds(os.getpid()))
            return errors, *(b - a for a, b in zip(cpu0, cpu1, strict=True))

        errors, cpu_bff, cpu_sandbox, cpu_client = asyncio.run(drive())
    return Run(workers, len(latencies), MEASURE_S, latencies, errors, cpu_bff, cpu_sandbox, cpu_client)


BUSY_PRESSURE = 20.0  # % of the last minute some task waited for a CPU: above it, the figures are not ours


def cpu_pressure() -> float | None:
    """Linux PSI: the share of the last 60 s in which some task waited for a CPU."""
    with contextlib.suppress(OSError, IndexError, ValueError, KeyError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()
        return float(dict(f.split("=") for f in some[1:])["avg60"])
    return None


def report(runs: list[Run], load_before: str, load_after: str) -> str:
    lines = [
        "## Worker processes: dashboard pages/s with 1 and 2 workers (`bench/workers.py`)",
        "",
        f"{CLIENTS} concurrent clients, each loading the web's dashboard page (`DashboardSummary` +",
        f"`DashboardServices` at once) over and over as the bench subscriber ({SUBSERVICES} sub-services), against",
        "`wispgate serve --workers W` (Redis-backed with a pool of 512 connections, JSON access log at INFO) in",
        "front of `wispgate sandbox`, all on this machine's loopback."
        f" {WARMUP_S:g} s of load, then {MEASURE_S:g} s measured. CPU = seconds of CPU",
        "per page used by the BFF (all its processes), the sandbox and the client.",
        "",
        "| workers | pages/s | page p50 / p99 (ms) | failed pages | CPU per page: BFF / sandbox / client (ms) | cores busy: BFF / sandbox / client |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        per = max(r.pages, 1)
        lines.append(
            f"| {r.workers} | {r.pages / r.seconds:.1f} | {pct(r.latencies, 0.5) * 1000:.0f} / "
            f"{pct(r.latencies, 0.99) * 1000:.0f} | {r.errors} | {r.cpu_bff / per * 1000:.1f} / "
            f"{r.cpu_sandbox / per * 1000:.1f} / {r.cpu_client / per * 1000:.1f} | {r.cpu_bff / r.seconds:.2f} / "
            f"{r.cpu_sandbox / r.seconds:.2f} / {r.cpu_client / r.seconds:.2f} |"
        )
    if len(runs) == 2 and runs[0].pages:
        gain = runs[1].pages / runs[0].pages
        lines += ["", f"2 workers / 1 worker: **×{gain:.2f}** pages/s."]
    lines += [
        "",
        "On 2 cores the BFF's workers share the machine with the sandbox (every backend call of every page) and",
        "the client; read the cores-busy columns with the pages/s: the BFF can only use what the others leave.",
        "",
        f"Machine load at start: {load_before}; at end: {load_after}.",
    ]
    pressure = cpu_pressure()
    if pressure is not None and pressure > BUSY_PRESSURE:
        lines += [
            "",
            f"**Not representative**: other work kept tasks waiting for a CPU {pressure:.0f} % of the time during",
            "this run, so the BFF got a share of a core whatever its worker count. Rerun on an idle machine.",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite this section of bench/RESULTS.md")
    args = parser.parse_args()
    # redis-py's pool is smaller than 50 clients' concurrent session checks ("Too many connections"): the
    # pool is sized in the URL, as an operator would.
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0?max_connections=512")
    sandbox_port = _free_port()
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    sandbox_env = _clean_env(SANDBOX_SERVICE_KEY=SERVICE_KEY, SANDBOX_BENCH_SUBSERVICES=str(SUBSERVICES))
    load_before = machine_load()
    runs: list[Run] = []
    with started(
        _wispgate("sandbox", "--port", str(sandbox_port)),
        sandbox_env,
        lambda: _get(f"{sandbox_url}/_sandbox/"),
    ) as sandbox:
        for workers in WORKERS:
            run = measure(workers, sandbox_url, sandbox.pid, redis_url)
            print(
                f"workers={workers}: {run.pages / run.seconds:.1f} pages/s, {run.errors} failed", flush=True
            )
            runs.append(run)
    text = report(runs, load_before, machine_load())
    print(text)
    if args.write:
        write_section("workers", text)


if __name__ == "__main__":
    main()
