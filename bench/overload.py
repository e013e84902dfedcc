"""Overload: the dashboard page offered at twice what one BFF process can serve, with and without the cap on
requests in flight (`MAX_IN_FLIGHT`, `bff.server.shedding`).

Processes on loopback as in `bench/dashboard.py` (whose sandbox, delay middleware and web operations this
reuses): the sandbox with the bench subscriber's N sub-services, every backend request delayed 20 ms; one BFF
under uvicorn with `MAX_IN_FLIGHT` set per run and its garbage collector tuned as `wispgate serve` does; this process the client (aiohttp, lighter than httpx, so that
the client takes less of the two cores).

1. Saturation: pages/s with `CLOSED_CLIENTS` clients each sending the page (its two operations at once) again
   as soon as it is answered, cap off.
2. For each cap (off, the default, a small one): pages started at a fixed rate of twice that for `DURATION_S`
   seconds whatever the answers (an open loop: real clients do not slow down because the server does).
   Reported: the 503 answers' latency (p50/p99), admitted pages' latency (p50/p99, both operations 200),
   and every sign of a backend read that failed inside the BFF (`BACKEND_UNAVAILABLE` errors in admitted
   answers, and non-`ok` outcomes in the BFF's `wispgate_backend_calls` metric).

Run: `python bench/overload.py [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import (  # noqa: E402
    BACKEND_NAMES,
    DASHBOARD_PAGE,
    LOGIN,
    PASSWORD,
    Child,
    _sandbox_app,
    machine_load,
    pct,
    serve,
    web_operation,
)
from bench.results import write_section  # noqa: E402

N = 50
DELAY_MS = 20
CLOSED_CLIENTS = 16
SESSIONS = 32  # signed-in sessions the pages take turns with (people, not one person's tabs)
CALIBRATE_S = 6.0
WARMUP_S = 4.0
DURATION_S = 10.0
UNCAPPED = 1_000_000  # MAX_IN_FLIGHT for "off": nothing is ever shed
CAPS = (UNCAPPED, 64, 32, 16)
CLIENT_TIMEOUT_S = 30.0


# ----------------------------------------------------------------------------------- server processes


def _bff_app(sandbox_base: str, max_in_flight: str) -> Any:
    from bff.core.settings import load_settings
    from bff.server.app import create_app

    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(ROOT / "bench" / "no-web-dist"),
        "MAX_IN_FLIGHT": max_in_flight,
    }
    for name in BACKEND_NAMES:
        env[f"{name.upper()}_URL"] = f"{sandbox_base}/{name}"
    return create_app(load_settings(env))


def child_main(role: str, args: list[str]) -> None:
    if role == "sandbox":
        app, sandbox = _sandbox_app(int(args[0]))
        try:
            serve(app)
        finally:
            sandbox.close()
        return
    from bff.server.app import tune_garbage_collector

    app = _bff_app(args[0], args[1])
    tune_garbage_collector()  # as `wispgate serve` does (app_from_environment)
    serve(app)


# The BFF's access log line (`bff.server.requests`): method, path, status, time inside the app.
ACCESS = re.compile(r"POST /graphql (\d{3}) ([\d.]+) ms")


@contextlib.contextmanager
def child(role: str, *args: str, access: list[tuple[int, float]] | None = None) -> Iterator[Child]:
    """A server process; with `access`, its stderr is read for access log lines, (status, ms) appended."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", role, *args]
    stderr = subprocess.PIPE if access is not None else None
    # This same script, by its own path, with this interpreter: nothing untrusted.
    proc = subprocess.Popen(  # noqa: S603
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT
    )
    started = Child(proc, 0)
    if access is not None:

        def read() -> None:
            assert proc.stderr is not None
            for line in proc.stderr:
                if match := ACCESS.search(line):
                    access.append((int(match.group(1)), float(match.group(2))))

        threading.Thread(target=read, daemon=True).start()
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit(f"{role} failed to start (exit {proc.wait(timeout=15)})")
        started.port = int(line.split()[1])
        yield started
    finally:
        started.stop()


# -------------------------------------------------------------------------------------------- the client


@dataclass
class Run:
    cap: int
    offered_pages_per_s: float = 0.0
    pages: int = 0
    admitted_s: list[float] = field(default_factory=list)  # pages whose two operations were both 200
    shed_s: list[float] = field(default_factory=list)  # each 503 answer, from its own request's start
    statuses: Counter[str] = field(default_factory=Counter)  # per operation
    error_codes: Counter[str] = field(default_factory=Counter)  # in admitted answers
    call_outcomes: Counter[str] = field(default_factory=Counter)  # the BFF's backend calls, from /metrics
    app_shed_ms: list[float] = field(default_factory=list)  # 503s: time inside the app (its access log)
    client_errors: int = 0


class Client:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session = session
        self.base = base
        # One signed-in session per simulated person: the BFF shares identical backend reads in flight only
        # within a session (`CoreClient` coalescing), so one token for every page would flatter it.
        self.sessions: list[dict[str, str]] = []
        self._turn = 0
        self.summary = json.dumps(
            {
                "operationName": "DashboardSummary",
                "query": web_operation("DashboardSummary", DASHBOARD_PAGE),
                "variables": {},
            }
        )
        self.services = json.dumps(
            {
                "operationName": "DashboardServices",
                "query": web_operation("DashboardServices", DASHBOARD_PAGE),
                "variables": {"first": 50, "after": None, "kind": None, "status": None},
            }
        )

    async def login(self, sessions: int = SESSIONS) -> None:
        from sandbox.world import BENCH_USER_EMAIL

        body = {"query": LOGIN, "variables": {"email": BENCH_USER_EMAIL, "password": PASSWORD}}
        for _ in range(sessions):
            async with self.session.post(f"{self.base}/graphql", json=body) as response:
                token = (await response.json())["data"]["login"]["accessToken"]
            self.sessions.append({"Authorization": f"Bearer {token}", "Content-Type": "application/json"})

    def next_session(self) -> dict[str, str]:
        self._turn += 1
        return self.sessions[self._turn % len(self.sessions)]

    async def operation(self, body: str, headers: dict[str, str], run: Run | None) -> tuple[int, float, Any]:
        started = time.perf_counter()
        async with self.session.post(f"{self.base}/graphql", data=body, headers=headers) as response:
            payload = await response.json(content_type=None)
            status = response.status
        elapsed = time.perf_counter() - started
        if run is not None:
            run.statuses[str(status)] += 1
            if status == 503:
                run.shed_s.append(elapsed)
        return status, elapsed, payload

    async def page(self, run: Run | None = None) -> bool:
        """Both operations at once; True when both were admitted and answered 200."""
        started = time.perf_counter()
        headers = self.next_session()  # both operations of a page come from one person's tab
        try:
            answers = await asyncio.gather(
                self.operation(self.summary, headers, run), self.operation(self.services, headers, run)
            )
        except (aiohttp.ClientError, TimeoutError):
            if run is not None:
                run.client_errors += 1
            return False
        elapsed = time.perf_counter() - started
        if all(status == 200 for status, _, _ in answers):
            if run is not None:
                run.admitted_s.append(elapsed)
                for _, _, payload in answers:
                    for error in payload.get("errors") or ():
                        run.error_codes[(error.get("extensions") or {}).get("code", "?")] += 1
            return True
        return False

    async def backend_outcomes(self) -> Counter[str]:
        async with self.session.get(f"{self.base}/metrics") as response:
            text = await response.text()
        outcomes: Counter[str] = Counter()
        for match in re.finditer(r"^wispgate_backend_calls_total\{([^}]*)\} (\S+)$", text, re.M):
            labels = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1)))
            outcomes[labels.get("outcome", "?")] += int(float(match.group(2)))
        return outcomes


async def saturation(client: Client, seconds: float = CALIBRATE_S) -> float:
    """Pages/s with CLOSED_CLIENTS clients in a closed loop for `seconds`."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            if await client.page():
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop() for _ in range(CLOSED_CLIENTS)))
    return done / (time.perf_counter() - started)


async def offered(client: Client, run: Run, rate: float) -> None:
    """Pages started every 1/rate s for DURATION_S, each on its own, then waited for."""
    run.offered_pages_per_s = rate
    before = await client.backend_outcomes()
    tasks: list[asyncio.Task[bool]] = []
    started = time.perf_counter()
    i = 0
    while (due := started + i / rate) < started + DURATION_S:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(client.page(run)))
        i += 1
    await asyncio.gather(*tasks)
    run.pages = len(tasks)
    after = await client.backend_outcomes()
    run.call_outcomes = after - before


async def measure(n: int) -> tuple[float, list[Run]]:
    timeout = aiohttp.ClientTimeout(total=CLIENT_TIMEOUT_S)
    connector = aiohttp.TCPConnector(limit=0)
    runs: list[Run] = []
    rate = 0.0
    with child("sandbox", str(n)) as sandbox_proc:
        base = f"http://127.0.0.1:{sandbox_proc.port}"
        async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
            async with session.get(f"{base}/_bench/delay", params={"ms": str(DELAY_MS)}) as response:
                response.raise_for_status()
            for cap in CAPS:
                access: list[tuple[int, float]] = []
                with child("bff", f"{base}/_sandbox", str(cap), access=access) as bff:
                    client = Client(session, f"http://127.0.0.1:{bff.port}")
                    await client.login()
                    # Warm: the first seconds of a new process (and of the sandbox) are far slower than
                    # the rest, and the first run would otherwise pay for them alone.
                    await saturation(client, WARMUP_S)
                    if not rate:
                        rate = 2 * await saturation(client)
                    run = Run(cap)
                    del access[:]
                    await offered(client, run, rate)
                    run.app_shed_ms = [t / 1000 for status, t in access if status == 503]
                    runs.append(run)
                    print(f"cap {cap}: {summary_line(run)}", file=sys.stderr)
    return rate / 2, runs


# ------------------------------------------------------------------------------------------- reporting


def ms(values: list[float], q: float, digits: int = 1) -> str:
    return f"{pct(values, q) * 1000:.{digits}f}" if values else "–"


def summary_line(run: Run) -> str:
    return (
        f"{run.pages} pages, admitted {len(run.admitted_s)} (p99 {ms(run.admitted_s, 0.99)} ms), "
        f"503s {len(run.shed_s)} (p50 {ms(run.shed_s, 0.5)} ms), errors {dict(run.error_codes)}, "
        f"calls {dict(run.call_outcomes)}, client errors {run.client_errors}"
    )


def report(saturated: float, runs: list[Run], load: tuple[str, str]) -> str:
    lines = [
        "## Overload: shedding past MAX_IN_FLIGHT (`bench/overload.py`)",
        "",
        f"The dashboard page (its two operations at once) for the bench subscriber with N = {N} sub-services,",
        f"every backend call delayed {DELAY_MS} ms; sandbox, one BFF process (collector tuned as `wispgate serve`",
        "does) and this client on one machine.",
        f"Each BFF is warmed with {WARMUP_S:g} s of closed-loop load first. Saturation, measured after that with",
        f"{CLOSED_CLIENTS} closed-loop clients and no cap: {saturated:.1f} pages/s.",
        f"Then pages started at {2 * saturated:.1f} pages/s (2× saturation) for {DURATION_S:g} s whatever the",
        "answers (open loop), once per cap. Latencies are the client's (they include its own share of the two",
        "cores and loopback); a page is admitted when both its operations answered 200. Backend failures:",
        "`BACKEND_UNAVAILABLE` errors in admitted answers and the BFF's backend calls whose outcome was not `ok`",
        '(a read that timed out inside the BFF counts there). "503 inside the app": from the BFF\'s access log,',
        "the time from the request reaching the app to its answer; the rest of the client's figure is the wait",
        "for the BFF's event loop (busy with the admitted requests) to read the request at all, and the client's.",
        "",
        "| MAX_IN_FLIGHT | pages | admitted | admitted p50 / p99 ms | 503 answers | 503 p50 / p99 ms "
        "| 503 inside the app p50 / p99 ms | BACKEND_UNAVAILABLE | backend calls not ok | client errors |",
        "|---|---:|---:|---|---:|---|---|---:|---|---:|",
    ]
    for run in runs:
        cap = "off" if run.cap == UNCAPPED else str(run.cap)
        not_ok = {k: v for k, v in run.call_outcomes.items() if k != "ok" and v}
        lines.append(
            f"| {cap} | {run.pages} | {len(run.admitted_s)} "
            f"| {ms(run.admitted_s, 0.5)} / {ms(run.admitted_s, 0.99)} | {len(run.shed_s)} "
            f"| {ms(run.shed_s, 0.5)} / {ms(run.shed_s, 0.99)} "
            f"| {ms(run.app_shed_ms, 0.5, 2)} / {ms(run.app_shed_ms, 0.99, 2)} "
            f"| {run.error_codes.get('BACKEND_UNAVAILABLE', 0)} "
            f"| {', '.join(f'{k} {v}' for k, v in sorted(not_ok.items())) or 'none'} | {run.client_errors} |"
        )
    failed = sum(r.error_codes.get("BACKEND_UNAVAILABLE", 0) for r in runs)
    failed += sum(v for r in runs for k, v in r.call_outcomes.items() if k != "ok")
    lines += [
        "",
        "Backend reads that failed or timed out inside the BFF, in all runs: "
        + (f"**{failed}**." if failed else "**none** (with or without the cap)."),
        "",
        f"Machine load at start: {load[0]}; at end: {load[1]} (2 cores: above 2 the machine was busy with other",
        "work than this benchmark, which slows every figure here).",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1:])
        return
    load_before = machine_load()
    saturated, runs = asyncio.run(measure(N))
    text = report(saturated, runs, (load_before, machine_load()))
    print(text)
    if args.write:
        write_section("overload", text)


if __name__ == "__main__":
    main()
