"""The dashboard with one backend down: latency of the web's dashboard page when Billing, the CRM, AAA or OSS
refuses connections or hangs, against the same page with every backend up.

What runs, each the product's own command on loopback: `wispgate sandbox` (the demo world), a fault proxy
(`tests/harness/faultproxy.py`'s design, copied here: a benchmark does not import the tests) in front of
each of its four systems, and `wispgate serve` with every backend behind its proxy and a read timeout of
`--deadline` seconds (1 s by default, the timeout the issue's measurements used). This process signs in as
an enterprise owner (12 sub-services) with a bearer token and sends the page as the web does: the
`DashboardPage` operation (read from `web/src`), after `Viewer`.

Per scenario it reports p50/p99 of the page and checks the answer is partial, not empty:
the services are listed in every scenario (Billing's list when the CRM is down), and every error is
BACKEND_UNAVAILABLE naming the failed backend. A hung backend costs what its deadline allows: with only a
read timeout, that is the deadline (plus a connect attempt for a refused one, which fails at once). Circuit
breakers would cut that further after repeated failures; this measures whatever the BFF under test does.
Run: `python bench/partial.py [--write] [--requests N] [--deadline S]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import DASHBOARD_PAGE, OPERATIONS, machine_load, pct, web_operation  # noqa: E402
from bench.results import write_section  # noqa: E402

BACKENDS = ("billing", "crm", "aaa", "oss")
MODES = ("refuse", "hang")
EMAIL = "it@northwind.example"  # an enterprise owner: 12 sub-services at several sites
PASSWORD = "wispgate-demo"
SERVICE_KEY = "bench-partial-service-key"
JWT_SECRET = "bench-partial-jwt-secret-0123456789abcdef-0123"
FILES_KEY = "bench-partial-files-key-0123456789abcdef-01234"
EVENTS_SECRET = "sandbox-events-secret-0123456789abcdef"  # the sandbox's default
WARMUPS = 3
LOGIN = """
mutation BenchLogin($email: String!, $password: String!) {
  login(input: { email: $email, password: $password, tokenDelivery: BODY }) {
    accessToken
    userErrors { code message }
  }
}
"""


# ------------------------------------------------------------------------------------------ fault proxy


class Proxy:
    """A loopback TCP proxy that passes, refuses (closes every new connection at once) or hangs (reads and
    never answers), in this process's event loop."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"
        self.port = 0
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = (
            set()
        )  # strong references: a bare handler task may be collected

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    def set(self, mode: str) -> None:
        self.mode = mode
        for writer in list(self._open):  # kept-alive connections see the new mode at once
            writer.transport.abort()
        self._open.clear()

    async def close(self) -> None:
        self.set("pass")
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self.mode == "refuse":
            writer.transport.abort()
            return
        self._open.add(writer)
        try:
            if self.mode == "hang":
                while await reader.read(65536):
                    pass
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            try:
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                up_writer.transport.abort()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._open.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await reader.read(65536):
                if self.mode == "hang":
                    while await reader.read(65536):
                        pass
                    return
                writer.write(chunk)
                await writer.drain()


# ------------------------------------------------------------------------------------------- processes


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wispgate(*args: str) -> list[str]:
    script = Path(sys.executable).with_name("wispgate")
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "bff.server.cli", *args]


def _env(**extra: str) -> dict[str, str]:
    import os

    prefixes = ("WISPGATE_", "SANDBOX_", "REDIS_", "BILLING_", "CRM_", "AAA_", "OSS_", "JWT_", "GATEWAY_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    # This checkout's code, whichever checkout the `wispgate` script was installed from (worktrees share one venv).
    return {**clean, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT), **extra}


@contextlib.contextmanager
def _process(command: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    import subprocess
    import tempfile

    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed below
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(ready_url, timeout=2).status_code == 200:
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise SystemExit(
                    f"{command[1:3]} did not start:\n{log.read().decode(errors='replace')[-3000:]}"
                )
            time.sleep(0.2)
        yield
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@contextlib.asynccontextmanager
async def sandbox_behind_proxies() -> AsyncIterator[dict[str, Proxy]]:
    """The sandbox on loopback and a proxy per backend in front of it (passing)."""
    port = _free_port()
    proxies = {name: Proxy(port) for name in BACKENDS}
    for proxy in proxies.values():
        await proxy.start()
    command = _wispgate("sandbox", "--host", "127.0.0.1", "--port", str(port))
    ready = f"http://127.0.0.1:{port}/_sandbox/"
    # The proxies run in this loop: start and stop the children from a thread so the loop keeps serving.
    stack = contextlib.ExitStack()
    try:
        await asyncio.to_thread(
            stack.enter_context, _process(command, _env(SANDBOX_SERVICE_KEY=SERVICE_KEY), ready)
        )
        yield proxies
    finally:
        await asyncio.to_thread(stack.close)
        for proxy in proxies.values():
            await proxy.close()


@contextlib.asynccontextmanager
async def bff(proxies: dict[str, Proxy], deadline_s: float) -> AsyncIterator[str]:
    """A fresh `wispgate serve` (its own breakers, pools and caches) with every backend behind its proxy."""
    port = _free_port()
    env = {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(ROOT / "bench" / "no-web-dist"),
        "JWT_SECRET": JWT_SECRET,
        "FILES_SIGNING_KEY": FILES_KEY,
        "CORE_EVENTS_SECRET": EVENTS_SECRET,
        "LOG_LEVEL": "ERROR",
    }
    for name, proxy in proxies.items():
        upper = name.upper()
        env[f"{upper}_URL"] = f"http://127.0.0.1:{proxy.port}/_sandbox/{name}"
        env[f"{upper}_API_KEY"] = SERVICE_KEY
        env[f"{upper}_READ_TIMEOUT_S"] = str(deadline_s)
        env[f"{upper}_CONNECT_TIMEOUT_S"] = str(deadline_s)
        env[f"{upper}_DEADLINE_S"] = str(deadline_s)  # the whole call, retries included
    command = _wispgate("serve", "--host", "127.0.0.1", "--port", str(port))
    stack = contextlib.ExitStack()
    try:
        await asyncio.to_thread(
            stack.enter_context, _process(command, _env(**env), f"http://127.0.0.1:{port}/readyz")
        )
        yield f"http://127.0.0.1:{port}"
    finally:
        await asyncio.to_thread(stack.close)


# ------------------------------------------------------------------------------------------- measuring


@dataclass
class Scenario:
    backend: str | None  # None: every backend up
    mode: str
    latencies: list[float] = field(default_factory=list)
    first: float = 0.0  # the first page after the fault began
    errors: int = 0  # per page, BACKEND_UNAVAILABLE errors at a path (all of them name the backend)
    services: int = 0  # sub-services listed on the last page
    lost: set[str] = field(default_factory=set)  # the names of the page's fields that failed
    viewer_lost: set[str] = field(default_factory=set)  # and of the `Viewer` check's


class Page:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.page = web_operation("DashboardPage", DASHBOARD_PAGE)
        self.viewer = web_operation("Viewer", OPERATIONS)

    async def post(self, name: str, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = {"operationName": name, "query": query, "variables": variables}
        response = await self.client.post("/graphql", json=body)
        if response.status_code != 200:
            raise SystemExit(f"{name}: HTTP {response.status_code}: {response.text[:300]}")
        payload: dict[str, Any] = response.json()
        return payload

    async def login(self) -> None:
        data = (await self.post("BenchLogin", LOGIN, {"email": EMAIL, "password": PASSWORD}))["data"]["login"]
        if data["userErrors"] or not data["accessToken"]:
            raise SystemExit(f"login failed: {data}")
        self.client.headers["Authorization"] = f"Bearer {data['accessToken']}"

    async def viewer_resolves(self) -> list[dict[str, Any]]:
        """The session check the web makes once when it starts: the viewer must never be lost to an outage.
        Returns its errors (what the outage took from it)."""
        answer = await self.post("Viewer", self.viewer, {})
        if answer["data"] is None or answer["data"]["viewer"] is None:
            raise SystemExit(f"the viewer was lost: {answer}")
        errors: list[dict[str, Any]] = answer.get("errors", [])
        return errors

    async def load(self) -> tuple[list[dict[str, Any]], int]:
        """The dashboard page as the web loads it: its one operation."""
        variables = {"first": 24, "after": None, "kind": None, "status": None}
        page = await self.post("DashboardPage", self.page, variables)
        answers = [page]
        if page["data"] is None or page["data"]["viewer"] is None:
            raise SystemExit(f"the viewer was lost: {answers}")
        connection = page["data"]["viewer"]["subscriber"]["subServices"]
        return answers, len(connection["nodes"]) if connection else 0


async def measure(
    client: httpx.AsyncClient, proxies: dict[str, Proxy], scenario: Scenario, requests: int
) -> None:
    """With every backend up: sign in and warm up. Then the fault: the first page (what a subscriber meets
    before anything in the BFF has learnt of the outage), `requests` more, and the viewer check."""
    page = Page(client)
    await page.login()
    for _ in range(WARMUPS):
        await page.load()
    if scenario.backend is not None:
        proxies[scenario.backend].set(scenario.mode)
    try:
        for i in range(requests + 1):
            started = time.perf_counter()
            answers, listed = await page.load()
            took = time.perf_counter() - started
            if i == 0:
                scenario.first = took
            else:
                scenario.latencies.append(took)
            errors = [e for a in answers for e in a.get("errors", [])]
            for error in errors:
                extensions = error.get("extensions") or {}
                if (
                    extensions.get("code") != "BACKEND_UNAVAILABLE"
                    or extensions.get("backend") != scenario.backend
                ):
                    raise SystemExit(f"{scenario.backend} {scenario.mode}: unexpected error {error}")
                if not error.get("path"):
                    raise SystemExit(f"an outage reported without a path: {error}")
            # The CRM down costs the page nothing (the services are Billing's list; the subscriber's name
            # and kind are on the `Viewer` check): any other backend takes something from it.
            if scenario.backend not in (None, "crm") and not errors:
                raise SystemExit(f"{scenario.backend} {scenario.mode}: nothing failed")
            # The CRM down too: its list of sub-services has a second source, Billing's.
            if listed == 0:
                raise SystemExit(f"{scenario.backend} {scenario.mode}: no services listed")
            scenario.errors, scenario.services = len(errors), listed
            scenario.lost = {_field_name(e["path"]) for e in errors}
        viewer_errors = await page.viewer_resolves()
        scenario.viewer_lost = {_field_name(e["path"]) for e in viewer_errors if e.get("path")}
    finally:
        for proxy in proxies.values():
            proxy.set("pass")


def cpu_pressure() -> float | None:
    """Share of the last 60 s some task waited for a CPU (Linux PSI), in %; None where unknown."""
    with contextlib.suppress(OSError, IndexError, ValueError, KeyError):
        some = Path("/proc/pressure/cpu").read_text().split("\n")[0].split()
        return float(dict(f.split("=") for f in some[1:])["avg60"])
    return None


BUSY_PRESSURE = 20.0  # % of time waiting for a CPU, above which latencies say more about the machine


def busy_note() -> str:
    pressure = cpu_pressure()
    if pressure is not None and pressure > BUSY_PRESSURE:
        return (
            f"**The machine was busy** ({pressure:.0f} % CPU pressure at the end): the latencies are inflated and "
            "not representative; the error counts, services listed and the first page's bound by the deadline are."
        )
    return "The machine was otherwise idle enough for the latencies to be representative."


def _field_name(path: list[str | int]) -> str:
    return str(next(step for step in reversed(path) if isinstance(step, str)))


def _names(fields: set[str]) -> str:
    return ", ".join(f"`{n}`" for n in sorted(fields)) or "—"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(
    results: list[Scenario], requests: int, hang_requests: int, deadline_s: float, load: tuple[str, str]
) -> str:
    args_deadline = f"{deadline_s:g}"
    # results[0] is the scenario with every backend up.
    lines = [
        "## Dashboard with one backend down (`bench/partial.py`)",
        "",
        "The web's dashboard page (its one `DashboardPage` operation, as the page sends it) for an",
        f"enterprise owner ({results[0].services} sub-services), `wispgate serve` and `wispgate sandbox` on loopback with a",
        "TCP fault proxy in front of each backend; each backend call's deadline (`<BACKEND>_DEADLINE_S`, retries",
        f"included) and read timeout {deadline_s:g} s. `refuse`: every new connection closed at once; `hang`:",
        f"connections accepted, never answered. {requests} pages per scenario ({hang_requests} when hung) after",
        f"{WARMUPS} warm-ups.",
        "",
        "| backend down | mode | first page (ms) | page p50 (ms) | page p99 (ms) | errors per page | services listed "
        "| fields lost (page) | fields lost (`Viewer`) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.backend or 'none'} | {r.mode if r.backend else '—'} | {ms(r.first) if r.backend else '—'} "
            f"| {ms(pct(r.latencies, 0.5))} | {ms(pct(r.latencies, 0.99))} | {r.errors} | {r.services} "
            f"| {_names(r.lost)} | {_names(r.viewer_lost)} |"
        )
    base = statistics.median(results[0].latencies)
    hung = [r for r in results if r.mode == "hang" and r.backend]
    worst_first = max((r.first for r in hung), default=0.0)
    worst = max((pct(r.latencies, 0.99) for r in hung), default=0.0)
    lines += [
        "",
        "Each scenario runs on a fresh `wispgate serve` (its own breakers and pools): sign in and warm up with every",
        'backend up, then the fault; "first page" is the first page after the fault began, p50/p99 are over the',
        "pages after it. Every page kept everything the other backends feed (checked on each page: the services",
        "are listed in every scenario) and the viewer (the web's `Viewer` check, once per scenario); every error",
        'was BACKEND_UNAVAILABLE at a path, naming the failed backend ("fields lost": the fields at those paths,',
        "on the page and on the `Viewer` check the web makes once).",
        "With the CRM down the services are Billing's list of them (the same ids, labels, kinds and locations,",
        "`schema/core/inventory.py`), each with its AAA, OSS and Billing fields, and the subscriber's name and",
        "account number are Billing's copies: the page loses nothing, the `Viewer` check the subscriber's kind.",
        "A hung CRM costs the deadline before Billing is asked, until its breaker opens.",
        "",
        f"Median page with every backend up: {ms(base)} ms. A hung backend costs the first page {ms(worst_first)} ms",
        f"at worst, for a {args_deadline} s deadline: the page's two queries wait for it in parallel, and a read that",
        "failed is not asked again within a request, however many fields need it. The pages after it: worst hung",
        f"p99 {ms(worst)} ms; p50 drops to a few tens of ms once the backend's circuit breaker has opened (after",
        "5 consecutive failures; a backend called once per page, like OSS, takes 5 pages to get there).",
        "",
        f"Machine load before: {load[0]}; after: {load[1]}.",
        busy_note(),
    ]
    return "\n".join(lines)


async def main_async(args: argparse.Namespace) -> str:
    load_before = machine_load()
    results: list[Scenario] = [Scenario(None, "pass")]
    results += [Scenario(b, m) for b in BACKENDS for m in MODES]
    async with sandbox_behind_proxies() as proxies:
        for scenario in results:
            n = args.hang_requests if scenario.mode == "hang" else args.requests
            async with (
                bff(proxies, args.deadline) as url,
                httpx.AsyncClient(base_url=url, timeout=60) as client,
            ):
                await measure(client, proxies, scenario, n)
            print(
                f"{scenario.backend or 'none':8} {scenario.mode:7} first {ms(scenario.first):>5} ms"
                f"  p50 {ms(pct(scenario.latencies, 0.5)):>5} ms  p99 {ms(pct(scenario.latencies, 0.99)):>5} ms"
                f"  errors {scenario.errors}  services {scenario.services}",
                flush=True,
            )
    return report(results, args.requests, args.hang_requests, args.deadline, (load_before, machine_load()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--write", action="store_true", help="write the 'partial' section of bench/RESULTS.md"
    )
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--hang-requests", type=int, default=15)
    parser.add_argument("--deadline", type=float, default=1.0)
    args = parser.parse_args()
    text = asyncio.run(main_async(args))
    print(text)
    if args.write:
        write_section("partial", text)


if __name__ == "__main__":
    main()
