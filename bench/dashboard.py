"""The portal dashboard over real HTTP: backend calls per query and latency against the backend critical path,
for the bench subscriber with N = 1, 10, 50, 100, 500 sub-services.

Three processes on loopback, so that neither server shares a GIL with the other or with the client:
- the sandbox (`build_sandbox`, bench subscriber with N sub-services) under uvicorn, behind a delay
  middleware that holds EVERY backend request for `delay` ms and records its (start, end);
- the BFF (`create_app(settings)`, every backend pointing at that sandbox over real HTTP) under uvicorn;
- this process: an httpx client that logs in with `tokenDelivery: BODY` and sends `Authorization: Bearer`.

The query is the web app's own: the page's one `DashboardPage` operation (the account's figures, its incidents
and the first page of services; with the fragments it spreads) is read from `web/src/pages/DashboardPage.tsx` and
the components that define the fragments, and sent with the variables the page uses (`first` is 24 for a
multi-site subscriber, 50 otherwise).

Per query the union of the backends' in-flight intervals (as the sandbox saw them) is the time the BFF could
not avoid waiting (the backend critical path); BFF overhead = client-observed latency - that union (it includes
the client's and loopback's share, ~1 ms). Run: `python bench/dashboard.py [--write]`;
`--profile N` instead profiles the BFF (cProfile) at N sub-services with no delay and prints the top functions.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import write_section  # noqa: E402

SIZES = (1, 10, 50, 100, 500)
DELAYS_MS = (20, 0)
WARMUPS = 3
TARGET_N = 50
TARGET_OVERHEAD_MS = 15.0
BACKEND_NAMES = ("crm", "aaa", "oss", "billing")
PASSWORD = "wispgate-demo"  # sandbox/world.py: every seeded portal user's password
CHILD_TIMEOUT_S = 900  # a server child exits by itself after this, whatever happens to this process

# ------------------------------------------------------------------------------- the web app's operations

WEB = ROOT / "web" / "src"
DASHBOARD_PAGE = WEB / "pages" / "DashboardPage.tsx"
OPERATIONS = WEB / "api" / "operations.ts"
_TEMPLATE = re.compile(r"graphql\(\s*`(.*?)`\s*\)", re.S)
_DEFINITION = re.compile(r"\b(query|mutation|fragment)\s+(\w+)")
_SPREAD = re.compile(r"\.\.\.\s*([A-Za-z_]\w*)")


def _web_documents() -> dict[str, str]:
    """Every `graphql(`...`)` document in the web sources (generated `gql/` excluded), by definition name."""
    found: dict[str, str] = {}
    for path in sorted([*WEB.rglob("*.ts"), *WEB.rglob("*.tsx")]):
        if "gql" in path.relative_to(WEB).parts:
            continue
        for text in _TEMPLATE.findall(path.read_text()):
            match = _DEFINITION.search(text)
            if match:
                found[match.group(2)] = text.strip()
    return found


def web_operation(name: str, source: Path) -> str:
    """Operation `name` as defined in `source`, followed by every fragment it spreads (transitively), as the
    codegen'd document the web client sends."""
    documents = _web_documents()
    if name not in documents or f" {name}" not in source.read_text():
        raise SystemExit(f"operation {name} not found in {source}")
    parts = [documents[name]]
    seen: set[str] = set()
    pending = _SPREAD.findall(documents[name])
    while pending:
        fragment = pending.pop()
        if fragment in seen:
            continue
        seen.add(fragment)
        if fragment not in documents:
            raise SystemExit(f"fragment {fragment} (spread by {name}) not found in web/src")
        parts.append(documents[fragment])
        pending += _SPREAD.findall(documents[fragment])
    return "\n\n".join(parts) + "\n"


LOGIN = """
mutation BenchLogin($email: String!, $password: String!) {
  login(input: { email: $email, password: $password, tokenDelivery: BODY }) {
    accessToken
    userErrors { code message }
  }
}
"""

# ----------------------------------------------------------------------------------- server processes


class DelayRecorder:
    """ASGI middleware in front of the sandbox: holds every backend request `delay_s`, then records
    (backend, endpoint, start, end) with end taken after the response's last byte was handed to the server.
    `/_bench/delay?ms=` sets the delay and `/_bench/drain` returns and clears the records (neither is
    delayed nor recorded)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.delay_s = 0.0
        self.records: list[tuple[str, str, float, float]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path.startswith("/_bench/"):
            await self._control(scope, receive, send)
            return
        start = time.perf_counter()
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        try:
            await self.app(scope, receive, send)
        finally:
            parts = path.split("/")  # "", "_sandbox", backend, ...
            backend = parts[2] if len(parts) > 2 else "?"
            self.records.append((backend, f"{scope['method']} {path}", start, time.perf_counter()))

    async def _control(self, scope: Any, receive: Any, send: Any) -> None:
        from starlette.requests import Request
        from starlette.responses import JSONResponse

        request = Request(scope, receive)
        if scope["path"] == "/_bench/delay":
            self.delay_s = float(request.query_params.get("ms", "0")) / 1000
            response = JSONResponse({"delay_ms": self.delay_s * 1000})
        elif scope["path"] == "/_bench/drain":
            records, self.records = self.records, []
            response = JSONResponse(records)
        else:
            response = JSONResponse({"error": "unknown"}, status_code=404)
        await response(scope, receive, send)


def _sandbox_app(n: int) -> tuple[Any, Any]:
    from starlette.applications import Starlette

    from sandbox.app import build_sandbox, mount
    from sandbox.settings import SandboxSettings

    sandbox = build_sandbox(SandboxSettings(today=date(2026, 11, 25), bench_subservices=n))
    inner = sandbox.asgi()
    app = Starlette(routes=[mount("/_sandbox", inner)], lifespan=inner.router.lifespan_context)
    return DelayRecorder(app), sandbox


def _bff_app(sandbox_base: str) -> Any:
    from bff.core.settings import load_settings
    from bff.server.app import create_app

    env = {"WISPGATE_ENV": "development", "WEB_DIST": str(ROOT / "bench" / "no-web-dist")}
    for name in BACKEND_NAMES:
        env[f"{name.upper()}_URL"] = f"{sandbox_base}/{name}"
    return create_app(load_settings(env))


async def _serve(server: Any) -> None:
    """Run `server` (a `uvicorn.Server`); print its port; stop when stdin closes (the parent is done or gone)
    or after CHILD_TIMEOUT_S."""
    loop = asyncio.get_running_loop()

    def watch_stdin() -> None:
        sys.stdin.read()
        loop.call_soon_threadsafe(setattr, server, "should_exit", True)

    threading.Thread(target=watch_stdin, daemon=True).start()
    loop.call_later(CHILD_TIMEOUT_S, setattr, server, "should_exit", True)
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn.Server offers only this flag
        if task.done():
            await task
            raise SystemExit("server did not start")
        await asyncio.sleep(0.01)
    print(f"PORT {server.servers[0].sockets[0].getsockname()[1]}", flush=True)
    await task


def serve(app: Any) -> None:
    """`app` under uvicorn on a loopback port with the defaults `wispgate serve` gets from `uvicorn.run`
    (loop "auto": uvloop when installed; httptools), minus the access log."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    with asyncio.Runner(loop_factory=config.get_loop_factory()) as runner:
        runner.run(_serve(server))


def child_main(role: str, arg: str, profile: str | None) -> None:
    if role == "sandbox":
        app, sandbox = _sandbox_app(int(arg))
        try:
            serve(app)
        finally:
            sandbox.close()
        return
    from bff.server.app import tune_garbage_collector

    app = _bff_app(arg)
    tune_garbage_collector()  # as `wispgate serve` does (app_from_environment)
    if profile is None:
        serve(app)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    try:
        serve(app)
    finally:
        profiler.disable()
        profiler.dump_stats(profile)


@dataclass
class Child:
    proc: subprocess.Popen[str]
    port: int

    def stop(self) -> None:
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


@contextlib.contextmanager
def child(role: str, arg: str, profile: str | None = None) -> Iterator[Child]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", role, arg]
    if profile:
        cmd += ["--child-profile", profile]
    # This same script, by its own path, with this interpreter: nothing untrusted.
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)  # noqa: S603
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


@dataclass
class Sample:
    latency_s: float
    union_s: float
    waves: int  # disjoint stretches of backend activity: rounds the BFF waited for, one after another
    calls: Counter[str]


@dataclass
class Result:
    n: int
    delay_ms: int
    scenario: str
    samples: list[Sample] = field(default_factory=list)
    bff_cpu_s: float = 0.0  # the BFF process's CPU time over the measured queries, per query
    endpoints: Counter[str] = field(default_factory=Counter)  # of the last sample
    calls_constant: bool = True  # the same calls in every sample


def union(intervals: list[tuple[float, float]]) -> tuple[float, int]:
    """Total length of the union of `intervals` and the number of disjoint stretches it forms."""
    total = 0.0
    stretches = 0
    current: tuple[float, float] | None = None
    for start, end in sorted(intervals):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
            stretches += 1
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return total, stretches


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    k = (len(ordered) - 1) * q  # linear interpolation between closest ranks
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def cpu_seconds(pid: int) -> float:
    """CPU time (ns-precise, from the scheduler) of every thread of process `pid` so far; 0 if unknown."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            total += int(stat.read_text().split()[0])
    return total / 1e9


class Portal:
    def __init__(self, bff: httpx.AsyncClient, sandbox: httpx.AsyncClient, n: int, bff_pid: int = 0) -> None:
        self.bff = bff
        self.bff_pid = bff_pid
        self.sandbox = sandbox
        self.n = n
        self.page_document = web_operation("DashboardPage", DASHBOARD_PAGE)
        self.viewer = web_operation("Viewer", OPERATIONS)
        self.first = 50

    async def post(self, name: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self.bff.post(
            "/graphql", json={"operationName": name, "query": query, "variables": variables}
        )
        body: dict[str, Any] = response.json()
        if response.status_code != 200 or body.get("errors"):
            raise SystemExit(f"{name} failed ({response.status_code}): {json.dumps(body)[:500]}")
        return body["data"]

    async def login(self) -> None:
        from sandbox.world import BENCH_USER_EMAIL

        data = await self.post("BenchLogin", LOGIN, {"email": BENCH_USER_EMAIL, "password": PASSWORD})
        payload = data["login"]
        if payload["userErrors"] or not payload["accessToken"]:
            raise SystemExit(f"login failed: {payload}")
        self.bff.headers["Authorization"] = f"Bearer {payload['accessToken']}"
        viewer = (await self.post("Viewer", self.viewer, {}))["viewer"]
        # DashboardPage.tsx: `{ first: multi ? 24 : 50, kind, status }`, multi = isMultiSite(subscriber.kind)
        self.first = 24 if viewer["subscriber"]["kind"] in ("ENTERPRISE", "MDU") else 50

    @property
    def page_variables(self) -> dict[str, Any]:
        return {"first": self.first, "after": None, "kind": None, "status": None}

    async def page_data(self) -> dict[str, Any]:
        """The web's dashboard page: its one operation, as the page sends it."""
        return await self.post("DashboardPage", self.page_document, self.page_variables)

    async def page(self) -> None:
        me = (await self.page_data())["viewer"]["subscriber"]
        assert me["financialSummary"]["outstanding"]["currency"]
        connection = me["subServices"]
        assert connection["totalCount"] == self.n, connection["totalCount"]
        assert len(connection["nodes"]) == min(self.n, self.first)

    async def set_delay(self, ms: int) -> None:
        (await self.sandbox.get("/_bench/delay", params={"ms": ms})).raise_for_status()

    async def drain(self) -> list[tuple[str, str, float, float]]:
        response = await self.sandbox.get("/_bench/drain")
        response.raise_for_status()
        return [tuple(r) for r in response.json()]  # type: ignore[misc]

    async def measure(self, scenario: str, delay_ms: int, requests: int) -> Result:
        run = {"page": self.page}[scenario]
        await self.set_delay(delay_ms)
        for _ in range(WARMUPS):
            await run()
        await self.drain()
        result = Result(self.n, delay_ms, scenario)
        first_calls: Counter[str] | None = None
        cpu_before = cpu_seconds(self.bff_pid) if self.bff_pid else 0.0
        for _ in range(requests):
            started = time.perf_counter()
            await run()
            latency = time.perf_counter() - started
            records = await self.drain()
            total, waves = union([(s, e) for _, _, s, e in records])
            calls = Counter(backend for backend, *_ in records)
            endpoints = Counter(endpoint for _, endpoint, *_ in records)
            result.samples.append(Sample(latency, total, waves, calls))
            if first_calls is None:
                first_calls = endpoints
            elif endpoints != first_calls:
                result.calls_constant = False
            result.endpoints = endpoints
        if self.bff_pid:
            # The drains in between go to the sandbox, not the BFF: all of this is the queries' own work.
            result.bff_cpu_s = (cpu_seconds(self.bff_pid) - cpu_before) / requests
        return result


@contextlib.asynccontextmanager
async def portal_for(n: int, profile: str | None = None) -> AsyncIterator[Portal]:
    with child("sandbox", str(n)) as sandbox_proc:
        sandbox_base = f"http://127.0.0.1:{sandbox_proc.port}"
        with child("bff", f"{sandbox_base}/_sandbox", profile) as bff_proc:
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{bff_proc.port}", timeout=60) as bff,
                httpx.AsyncClient(base_url=sandbox_base, timeout=60) as sandbox,
            ):
                portal = Portal(bff, sandbox, n, bff_proc.proc.pid)
                await portal.login()
                yield portal


# ------------------------------------------------------------------------------------------- reporting


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def calls_text(result: Result) -> str:
    calls = result.samples[-1].calls
    text = " / ".join(str(calls.get(b, 0)) for b in BACKEND_NAMES) + f" = {sum(calls.values())}"
    return text if result.calls_constant else text + " (varies)"


def table(results: list[Result], delay_ms: int) -> list[str]:
    lines = [
        "| N | query | calls crm / aaa / oss / billing | waves | latency p50 / p95 | critical path p50 / p95 "
        "| BFF overhead p50 / p95 | BFF CPU / query |",
        "|---:|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if r.delay_ms != delay_ms:
            continue
        lat = [s.latency_s for s in r.samples]
        uni = [s.union_s for s in r.samples]
        over = [s.latency_s - s.union_s for s in r.samples]
        waves = statistics.median(s.waves for s in r.samples)
        lines.append(
            f"| {r.n} | {r.scenario} | {calls_text(r)} | {waves:g} "
            f"| {ms(pct(lat, 0.5))} / {ms(pct(lat, 0.95))} "
            f"| {ms(pct(uni, 0.5))} / {ms(pct(uni, 0.95))} "
            f"| {ms(pct(over, 0.5))} / {ms(pct(over, 0.95))} | {ms(r.bff_cpu_s)} |"
        )
    return lines


def machine_load() -> str:
    """Load average and CPU pressure (Linux PSI, share of time some task waited for a CPU), for the record:
    other work on this 2-core machine inflates latency, not calls, and the BFF's CPU time only a little."""
    parts = []
    with contextlib.suppress(OSError, IndexError):
        parts.append("load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3]))
    with contextlib.suppress(OSError, IndexError, ValueError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()
        fields = dict(f.split("=") for f in some[1:])
        parts.append(f"CPU pressure (some) {fields['avg60']} % over the last 60 s")
    return ", ".join(parts) or "unknown"


def report(results: list[Result], requests: int, load: tuple[str, str]) -> str:
    lines = [
        "## Dashboard over real HTTP: backend calls and BFF overhead (`bench/dashboard.py`)",
        "",
        "The web app's dashboard page: its one `DashboardPage` operation (text read from",
        "`web/src/pages/DashboardPage.tsx` and its fragments; `first` = 24, as the page asks for a multi-site",
        "subscriber) for the bench subscriber with N sub-services. Sandbox and BFF each under uvicorn (uvloop,",
        "httptools) in its own process on loopback; the client logs in with `tokenDelivery: BODY` and sends",
        "`Authorization: Bearer`. A middleware in front of",
        "the sandbox delays every backend request and records when it was in flight; the critical path is the",
        "union of those intervals per query, BFF overhead = latency − critical path (per request, then p50 / p95;",
        "it includes ~1 ms of client and loopback), waves = disjoint stretches of backend activity (median),",
        "BFF CPU = the BFF process's CPU time per query. Calls are per page.",
        f"{WARMUPS} warm-ups, then {requests} sequential queries; times in ms.",
        "",
    ]
    lines += [f"Machine load at start: {load[0]}; at end: {load[1]}.", ""]
    for delay in DELAYS_MS:
        lines += [f"### Every backend call delayed {delay} ms", "", *table(results, delay), ""]
    endpoints: dict[str, Counter[str]] = {}
    for r in results:
        if r.delay_ms == DELAYS_MS[0]:
            endpoints.setdefault(r.scenario, r.endpoints)
    constant = all(
        r.calls_constant and r.endpoints == endpoints.get(r.scenario)
        for r in results
        if r.scenario in endpoints
    )
    lines.append(
        "Backend calls per query constant in N (same endpoints, same counts, every request, both delays): "
        + ("**yes**." if constant else "**NO** — see the table.")
    )
    lines.append("")
    for scenario, counts in endpoints.items():
        lines.append(f"- `{scenario}`: " + ", ".join(f"`{e}` × {c}" for e, c in sorted(counts.items())))
    at = [r for r in results if r.n == TARGET_N and r.delay_ms == DELAYS_MS[0]]
    if at:
        lines += [
            "",
            f"Target: at N = {TARGET_N} with {DELAYS_MS[0]} ms per backend call, p50 BFF "
            f"overhead ≤ {TARGET_OVERHEAD_MS:g} ms:",
        ]
        for r in at:
            p50 = pct([s.latency_s - s.union_s for s in r.samples], 0.5) * 1000
            verdict = "met" if p50 <= TARGET_OVERHEAD_MS else "NOT met"
            lines.append(f"- `{r.scenario}`: {p50:.1f} ms — **{verdict}**")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------- entry points


async def run_all(sizes: tuple[int, ...], requests: int, scenarios: tuple[str, ...]) -> list[Result]:
    results: list[Result] = []
    for n in sizes:
        began = time.perf_counter()
        async with portal_for(n) as portal:
            for delay in DELAYS_MS:
                for scenario in scenarios:
                    results.append(await portal.measure(scenario, delay, requests))
        print(f"N={n}: measured in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
    return results


async def run_profile(n: int, requests: int) -> None:
    import pstats

    path = str(ROOT / "bench" / f".dashboard-profile-{os.getpid()}.prof")
    try:
        async with portal_for(n, profile=path) as portal:
            await portal.set_delay(0)
            for _ in range(WARMUPS):
                await portal.page()
            started = time.perf_counter()
            for _ in range(requests):
                await portal.page()
            print(f"N={n}: {requests} page loads (no delay) in {time.perf_counter() - started:.2f} s")
        stats = pstats.Stats(path)
        if keep := os.environ.get("BENCH_KEEP_PROFILE"):
            stats.dump_stats(keep)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--requests", type=int, default=30, help="measured queries per cell (default 30)")
    parser.add_argument("--sizes", type=str, default=",".join(map(str, SIZES)), help="N values, e.g. 1,50")
    parser.add_argument("--scenarios", type=str, default="page")
    parser.add_argument("--profile", type=int, metavar="N", help="profile the BFF at N sub-services instead")
    parser.add_argument("--child", nargs=2, metavar=("ROLE", "ARG"), help=argparse.SUPPRESS)
    parser.add_argument("--child-profile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args.child[0], args.child[1], args.child_profile)
        return
    if args.profile:
        asyncio.run(run_profile(args.profile, args.requests))
        return
    if args.requests < 30 and args.write:
        raise SystemExit("--write needs at least 30 measured requests per cell")
    sizes = tuple(int(s) for s in args.sizes.split(","))
    scenarios = tuple(args.scenarios.split(","))
    started = time.perf_counter()
    load_before = machine_load()
    results = asyncio.run(run_all(sizes, args.requests, scenarios))
    text = report(results, args.requests, (load_before, machine_load()))
    print(text)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section("dashboard", text)


if __name__ == "__main__":
    main()
