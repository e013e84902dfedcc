"""The BFF against a hand-written aggregator of the same backend calls (`bench/handwritten.py`), in one run,
interleaved: pages/s and their ratio, server CPU per page, backend rounds per page and one-client latency
against the backend critical path, for the dashboard page at N = 1, 50, 500 sub-services and 8 / 32 clients.

Four processes on loopback per N: the sandbox (bench subscriber with N sub-services, every backend request
delayed 20 ms by `bench.dashboard.DelayRecorder`, which also records when each was in flight), the BFF
(`create_app`, as `bench/dashboard.py` starts it), the hand-written reference, and this one (the clients).
BFF and reference check tokens signed with the same secret: the client logs in once to the BFF and sends
the token to both.

- A BFF page is the web's one `DashboardPage` operation (read from the web's sources); a reference page is
  one `GET /dashboard`. Before measuring, the reference's answer is compared field by field with the BFF's
  (every leaf, same order of nodes).
- One client: sequential pages; per page the backend critical path (union of the backend requests' in-flight
  intervals) and rounds (disjoint stretches of backend activity) as the sandbox saw them.
- Throughput: 8 or 32 clients, each signed in with its own session (the BFF shares identical backend reads
  in flight only within a session), each loading pages back to back (aiohttp, keep-alive) for a slice of a few
  seconds, BFF and reference alternating slice by slice (the order flipped each time) so that drift in the
  machine's load hits both alike. CPU per page is the server process's CPU time (/proc schedstat, every
  thread) over its slices divided by its pages; the sandbox's CPU per page is reported too.

Run: `python bench/ratio.py [--write] [--sizes 1,50,500] [--clients 8,32] [--slice 2] [--slices 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import secrets
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import orjson

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import (  # noqa: E402
    BACKEND_NAMES,
    LOGIN,
    PASSWORD,
    Child,
    Portal,
    _sandbox_app,
    cpu_seconds,
    machine_load,
    pct,
    serve,
    union,
)
from bench.results import write_section  # noqa: E402

SIZES = (1, 50, 500)
CLIENTS = (8, 32)
DELAY_MS = 20
SLICE_S = 2.0
SLICES = 3
LATENCY_PAGES = 15
WARMUP_S = 0.5
TARGET_RATIO = 0.5
BUSY_PRESSURE = 5.0  # % of time some task waited for a CPU, above which the figures are not trustworthy
SECRET_ENV = "BENCH_RATIO_JWT_SECRET"
ISSUER = AUDIENCE = "wispgate-portal"  # the BFF's defaults (bff.core.settings)

# ----------------------------------------------------------------------------------- server processes


def _backend_urls(sandbox_base: str) -> dict[str, str]:
    return {name: f"{sandbox_base}/_sandbox/{name}" for name in BACKEND_NAMES}


def child_main(role: str, arg: str) -> None:
    if role == "sandbox":
        app, sandbox = _sandbox_app(int(arg))
        try:
            serve(app)
        finally:
            sandbox.close()
        return
    secret = os.environ[SECRET_ENV]
    if role == "bff":
        from bff.core.settings import load_settings
        from bff.server.app import create_app, tune_garbage_collector

        env = {"WISPGATE_ENV": "development", "WEB_DIST": str(ROOT / "bench" / "no-web-dist")}
        env["JWT_SECRET"] = secret
        # Throughput, not refusals: 32 clients keep 64 operations in flight, past the default shedding cap
        # (`MAX_IN_FLIGHT`, bench/overload.py measures that), and a refused page is not a page served.
        env["MAX_IN_FLIGHT"] = "100000"
        for name, url in _backend_urls(arg).items():
            env[f"{name.upper()}_URL"] = url
        app = create_app(load_settings(env))
        tune_garbage_collector()  # as `wispgate serve` does (app_from_environment)
        serve(app)
        return
    from bench.handwritten import build_app
    from bff.core.settings import SANDBOX_SERVICE_KEY

    serve(build_app(_backend_urls(arg), SANDBOX_SERVICE_KEY, secret, ISSUER, AUDIENCE))


@contextlib.contextmanager
def child(role: str, arg: str, secret: str) -> Iterator[Child]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", role, arg]
    env = {**os.environ, SECRET_ENV: secret}
    # This same script, by its own path, with this interpreter: nothing untrusted.
    proc = subprocess.Popen(  # noqa: S603
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT, env=env
    )
    started = Child(proc, 0)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the child prints its port once serving (or exits)
        if not line.startswith("PORT "):
            raise SystemExit(f"{role} failed to start (exit {proc.wait(timeout=15)})")
        started.port = int(line.split()[1])
        yield started
    finally:
        started.stop()


# -------------------------------------------------------------------------------------------- measuring


def compare(bff: Any, ref: Any, path: str = "") -> tuple[int, list[str]]:
    """(leaves compared, paths where the two differ)."""
    if isinstance(bff, dict) and isinstance(ref, dict):
        leaves, diffs = 0, []
        for key in sorted(set(bff) | set(ref)):
            if key not in bff or key not in ref:
                diffs.append(f"{path}.{key} (only in {'BFF' if key in bff else 'reference'})")
                continue
            n, d = compare(bff[key], ref[key], f"{path}.{key}")
            leaves, diffs = leaves + n, diffs + d
        return leaves, diffs
    if isinstance(bff, list) and isinstance(ref, list):
        if len(bff) != len(ref):
            return 1, [f"{path} (length {len(bff)} vs {len(ref)})"]
        leaves, diffs = 0, []
        for i, (a, b) in enumerate(zip(bff, ref, strict=True)):
            n, d = compare(a, b, f"{path}[{i}]")
            leaves, diffs = leaves + n, diffs + d
        return leaves, diffs
    return 1, ([] if bff == ref else [f"{path} ({bff!r} vs {ref!r})"])


@dataclass
class OneClient:
    latency: list[float] = field(default_factory=list)
    critical: list[float] = field(default_factory=list)
    rounds: list[int] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)  # of the last page


@dataclass
class Load:
    pages: int = 0
    seconds: float = 0.0
    cpu_s: float = 0.0
    sandbox_cpu_s: float = 0.0
    latency: list[float] = field(default_factory=list)
    errors: int = 0
    backend_calls: int = 0  # as the sandbox saw them

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0

    def per_page(self, value: float) -> float:
        return value / self.pages if self.pages else float("nan")

    def per_page_ms(self, seconds: float) -> float:
        return self.per_page(seconds) * 1000


@dataclass
class Cell:
    n: int
    clients: int
    bff: Load = field(default_factory=Load)
    ref: Load = field(default_factory=Load)


@dataclass
class SizeResult:
    n: int
    leaves: int = 0
    diffs: list[str] = field(default_factory=list)
    one: dict[str, OneClient] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)


class Bench:
    def __init__(self, portal: Portal, ref_port: int, pids: dict[str, int]) -> None:
        self.portal = portal
        self.pids = pids
        self.ref_url = f"http://127.0.0.1:{ref_port}/dashboard?first={portal.first}"
        self.bff_url = str(portal.bff.base_url).rstrip("/") + "/graphql"
        self.headers = {"authorization": portal.bff.headers["Authorization"]}
        self.sessions: list[dict[str, str]] = []  # one per load client: each its own signed-in session
        self.bodies = [
            orjson.dumps(
                {
                    "operationName": "DashboardPage",
                    "query": portal.page_document,
                    "variables": portal.page_variables,
                }
            )
        ]

    # -- one page, each way
    async def ref_page_httpx(self) -> dict[str, Any]:
        response = await self.portal.bff.get(self.ref_url, headers=self.headers)
        if response.status_code != 200:
            raise SystemExit(f"reference failed ({response.status_code}): {response.text[:300]}")
        body: dict[str, Any] = orjson.loads(response.content)
        return body

    async def bff_page_httpx(self) -> dict[str, Any]:
        return await self.portal.page_data()

    async def compare(self, result: SizeResult) -> None:
        bff, ref = await asyncio.gather(self.bff_page_httpx(), self.ref_page_httpx())
        result.leaves, result.diffs = compare(bff, ref)

    async def one_client(self, name: str, pages: int) -> OneClient:
        run = self.bff_page_httpx if name == "BFF" else self.ref_page_httpx
        for _ in range(3):
            await run()
        await self.portal.drain()
        out = OneClient()
        for _ in range(pages):
            started = time.perf_counter()
            await run()
            out.latency.append(time.perf_counter() - started)
            records = await self.portal.drain()
            total, waves = union([(s, e) for _, _, s, e in records])
            out.critical.append(total)
            out.rounds.append(waves)
            out.calls = Counter(backend for backend, *_ in records)
        return out

    # -- under load
    async def _bff_load_page(self, session: aiohttp.ClientSession, auth: dict[str, str]) -> bool:
        async def one(body: bytes) -> bool:
            headers = {**auth, "content-type": "application/json"}
            async with session.post(self.bff_url, data=body, headers=headers) as response:
                data = await response.read()
                return response.status == 200 and b'"errors"' not in data

        results = await asyncio.gather(*(one(b) for b in self.bodies))
        return all(results)

    async def _ref_load_page(self, session: aiohttp.ClientSession, auth: dict[str, str]) -> bool:
        async with session.get(self.ref_url, headers=auth) as response:
            await response.read()
            return response.status == 200

    async def sign_in(self, clients: int) -> None:
        """Sessions for `clients` load clients: like `clients` people, not one person's `clients` tabs (the
        BFF shares identical backend reads in flight only within a session)."""
        from sandbox.world import BENCH_USER_EMAIL

        while len(self.sessions) < clients:
            data = await self.portal.post(
                "BenchLogin", LOGIN, {"email": BENCH_USER_EMAIL, "password": PASSWORD}
            )
            self.sessions.append({"authorization": f"Bearer {data['login']['accessToken']}"})

    async def slice(
        self, session: aiohttp.ClientSession, name: str, clients: int, seconds: float, into: Load | None
    ) -> None:
        page: Callable[[aiohttp.ClientSession, dict[str, str]], Awaitable[bool]]
        page = self._bff_load_page if name == "BFF" else self._ref_load_page
        pid = self.pids[name]
        deadline = time.perf_counter() + seconds
        latencies: list[float] = []
        errors = 0

        async def client(auth: dict[str, str]) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                ok = await page(session, auth)
                if ok:  # pages/s and latencies count the pages served, not the refused or failed ones
                    latencies.append(time.perf_counter() - started)
                errors += not ok

        cpu0, sandbox0, began = cpu_seconds(pid), cpu_seconds(self.pids["sandbox"]), time.perf_counter()
        await asyncio.gather(*(client(self.sessions[i]) for i in range(clients)))
        elapsed = time.perf_counter() - began
        cpu, sandbox = cpu_seconds(pid) - cpu0, cpu_seconds(self.pids["sandbox"]) - sandbox0
        records = await self.portal.drain()  # also keeps the sandbox's record list short
        if into is None:
            return
        into.pages += len(latencies)
        into.seconds += elapsed
        into.cpu_s += cpu
        into.sandbox_cpu_s += sandbox
        into.latency += latencies
        into.errors += errors
        into.backend_calls += len(records)

    async def cell(self, n: int, clients: int, slice_s: float, slices: int) -> Cell:
        out = Cell(n, clients)
        await self.sign_in(clients)
        # Idle connections are dropped before uvicorn's 5 s keep-alive timeout closes them: a BFF connection
        # idles through the reference's slices, and one the server closed as it was taken fails the page.
        connector = aiohttp.TCPConnector(limit=2 * clients + 8, keepalive_timeout=3.0)
        async with aiohttp.ClientSession(connector=connector) as session:
            for name in ("BFF", "reference"):
                await self.slice(session, name, clients, WARMUP_S, None)
            for i in range(slices):
                order = ("BFF", "reference") if i % 2 == 0 else ("reference", "BFF")
                for name in order:
                    await self.slice(session, name, clients, slice_s, out.bff if name == "BFF" else out.ref)
        return out


@contextlib.asynccontextmanager
async def bench_for(n: int) -> AsyncIterator[Bench]:
    secret = secrets.token_urlsafe(48)
    with child("sandbox", str(n), secret) as sandbox_proc:
        base = f"http://127.0.0.1:{sandbox_proc.port}"
        with child("bff", base, secret) as bff_proc, child("reference", base, secret) as ref_proc:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{bff_proc.port}", timeout=60) as bff,
                httpx.AsyncClient(base_url=base, timeout=60) as sandbox,
            ):
                portal = Portal(bff, sandbox, n, bff_proc.proc.pid)
                await portal.login()
                await portal.set_delay(DELAY_MS)
                pids = {"BFF": bff_proc.proc.pid, "reference": ref_proc.proc.pid}
                pids["sandbox"] = sandbox_proc.proc.pid
                yield Bench(portal, ref_proc.port, pids)


async def run_all(
    sizes: tuple[int, ...], clients: tuple[int, ...], slice_s: float, slices: int
) -> list[SizeResult]:
    results = []
    for n in sizes:
        began = time.perf_counter()
        result = SizeResult(n)
        async with bench_for(n) as bench:
            await bench.compare(result)
            for name in ("BFF", "reference"):
                result.one[name] = await bench.one_client(name, LATENCY_PAGES)
            for c in clients:
                result.cells.append(await bench.cell(n, c, slice_s, slices))
        results.append(result)
        print(f"N={n}: measured in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    return results


# ------------------------------------------------------------------------------------------- reporting


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def calls_text(calls: Counter[str]) -> str:
    return " / ".join(str(calls.get(b, 0)) for b in BACKEND_NAMES) + f" = {sum(calls.values())}"


def cpu_pressure() -> float | None:
    """Share of the last 60 s in which some task waited for a CPU (Linux PSI), in %; None if unknown."""
    with contextlib.suppress(OSError, IndexError, ValueError, KeyError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()
        return float(dict(f.split("=") for f in some[1:])["avg60"])
    return None


def busy_note(pressures: list[float | None]) -> str:
    known = [p for p in pressures if p is not None]
    if not known:
        return "CPU pressure unknown: check that the machine was idle."
    if max(known) > BUSY_PRESSURE:
        return (
            f"**The machine was busy** (CPU pressure up to {max(known):.0f} %: other work competed for the 2 "
            "cores): the figures are noisy, the BFF's more than the reference's; rerun on an idle machine."
        )
    return f"The machine was quiet (CPU pressure at most {max(known):.1f} %)."


def report(results: list[SizeResult], slice_s: float, slices: int, load: tuple[str, str], note: str) -> str:
    lines = [
        "## The BFF against a hand-written aggregator of the same calls (`bench/ratio.py`)",
        "",
        "The web's dashboard page for the bench subscriber with N sub-services, every backend request delayed",
        f"{DELAY_MS} ms. BFF page = its one `DashboardPage` operation; reference page = one `GET /dashboard` of",
        "`bench/handwritten.py` (plain Starlette, local JWT check, orjson, aiohttp; the same backend reads,",
        "each once, in one round). Sandbox, BFF and reference each under uvicorn (uvloop, httptools) in its",
        "own process, the clients in a fourth, all on the same 2 cores. Throughput: each client loads pages",
        f"back to back; {slices} slices of {slice_s:g} s per server, BFF and reference alternating. CPU per",
        "page = the server process's CPU time over its slices / its pages (sandbox's alongside: the backends'",
        "own cost, which both pay), and the backend calls per page as the sandbox counted them. Times in ms.",
        "",
        f"Machine load at start: {load[0]}; at end: {load[1]}. {note}",
        "",
        "### Same answer",
        "",
    ]
    for r in results:
        verdict = (
            "**identical**" if not r.diffs else f"**{len(r.diffs)} differences**: " + "; ".join(r.diffs[:5])
        )
        lines.append(f"- N = {r.n}: {r.leaves} fields compared, {verdict}")
    lines += [
        "",
        "### Throughput",
        "",
        "| N | clients | BFF pages/s | reference pages/s | ratio | server CPU / page, BFF vs reference "
        "| sandbox CPU / page, BFF vs reference | backend calls / page | page p50 / p99 under load, BFF vs "
        "reference | errors |",
        "|---:|---:|---:|---:|---:|---|---|---|---|---:|",
    ]
    for r in results:
        for c in r.cells:
            b, f = c.bff, c.ref
            ratio = b.rate / f.rate if f.rate else float("nan")
            lines.append(
                f"| {c.n} | {c.clients} | {b.rate:.1f} | {f.rate:.1f} | {ratio:.2f} "
                f"| {b.per_page_ms(b.cpu_s):.1f} vs {f.per_page_ms(f.cpu_s):.1f} "
                f"| {b.per_page_ms(b.sandbox_cpu_s):.1f} vs {f.per_page_ms(f.sandbox_cpu_s):.1f} "
                f"| {b.per_page(b.backend_calls):.1f} vs {f.per_page(f.backend_calls):.1f} "
                f"| {ms(pct(b.latency, 0.5))} / {ms(pct(b.latency, 0.99))} vs "
                f"{ms(pct(f.latency, 0.5))} / {ms(pct(f.latency, 0.99))} | {b.errors} / {f.errors} |"
            )
    lines += [
        "",
        f"### One client: latency against the backend critical path ({LATENCY_PAGES} sequential pages)",
        "",
        "| N | server | calls crm / aaa / oss / billing | rounds | latency p50 | critical path p50 "
        "| latency − critical path p50 |",
        "|---:|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        for name, one in r.one.items():
            over = [a - b for a, b in zip(one.latency, one.critical, strict=True)]
            lines.append(
                f"| {r.n} | {name} | {calls_text(one.calls)} | {statistics.median(one.rounds):g} "
                f"| {ms(pct(one.latency, 0.5))} | {ms(pct(one.critical, 0.5))} | {ms(pct(over, 0.5))} |"
            )
    at = [c for r in results for c in r.cells if r.n in (50, 500) and c.clients == max(CLIENTS)]
    if at:
        lines += [
            "",
            f"Target: throughput ≥ {TARGET_RATIO} of the reference at N = 50 and 500 with 32 clients:",
        ]
        for c in at:
            ratio = c.bff.rate / c.ref.rate if c.ref.rate else 0.0
            verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
            lines.append(f"- N = {c.n}: {ratio:.2f} — **{verdict}**")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- entry point


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="N values, e.g. 1,50")
    parser.add_argument("--clients", default=",".join(map(str, CLIENTS)), help="client counts, e.g. 8,32")
    parser.add_argument("--slice", type=float, default=SLICE_S, help="seconds per slice (default 2)")
    parser.add_argument("--slices", type=int, default=SLICES, help="slices per server per cell (default 3)")
    parser.add_argument("--child", nargs=2, metavar=("ROLE", "ARG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1])
        return
    sizes = tuple(int(s) for s in args.sizes.split(","))
    clients = tuple(int(c) for c in args.clients.split(","))
    started = time.perf_counter()
    load_before, pressure_before = machine_load(), cpu_pressure()
    results = asyncio.run(run_all(sizes, clients, args.slice, args.slices))
    note = busy_note([pressure_before, cpu_pressure()])
    text = report(results, args.slice, args.slices, (load_before, machine_load()), note)
    print(text)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section("ratio", text)


if __name__ == "__main__":
    main()
