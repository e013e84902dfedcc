"""The dashboard with one backend hung: page latency while each call waits out its deadline (breaker kept
closed), then once the backend's breaker is open (calls fail at once), against the same page with nothing
failing. Expected (issue 8): hung p99 ≤ the deadline + 50 ms; breaker open p99 ≤ 20 ms.

Three processes on loopback: the sandbox (`bench/dashboard.py`'s child, the bench subscriber with N
sub-services), the BFF (`wispgate serve`, its production clients), and this one: the client, and a small TCP
proxy in front of each core system that forwards bytes or, when told to hang, accepts and never answers
(a copy of the few lines of `tests/harness/faultproxy.py` it needs: a benchmark does not import the tests).

A "page" is the web's one `DashboardPage` operation, as the page sends it.
For each backend and each phase a fresh BFF is started (a breaker opened in one phase must not colour the
next). Run: `python bench/resilience.py [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import (  # noqa: E402
    DASHBOARD_PAGE,
    LOGIN,
    PASSWORD,
    child,
    machine_load,
    pct,
    web_operation,
)
from bench.results import write_section  # noqa: E402
from bench.workers import BUSY_PRESSURE, cpu_pressure  # noqa: E402

N = 10
BACKENDS = ("billing", "aaa", "oss", "crm")
DEADLINE_S = 2.0  # the product's default (`<SYSTEM>_DEADLINE_S`)
FAILURES = 5  # the product's default (`<SYSTEM>_BREAKER_FAILURES`)
SERVICE_KEY = "sandbox-service-key"


# ------------------------------------------------------------------------------ a hang-or-pass TCP proxy


class Proxy:
    """Forwards to `target` on loopback; `hang = True` makes new connections (and kept-alive ones, which
    are cut) accept and never answer. Runs in a thread of its own with its own loop."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.hang = False
        self.connections = 0
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Proxy:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)
        return self

    def set_hang(self, hang: bool) -> None:
        self.hang = hang
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._cut_all)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", self.port))
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            # Connections still open end here, with the loop still running (as the tests' proxy does).
            server.close()
            self._cut_all()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

    def _cut_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        try:
            if self.hang:
                while await reader.read(65536):
                    pass
                return
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            up_writer.transport.abort()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                chunk = await reader.read(65536)
            except OSError:
                return
            if not chunk:
                return
            if self.hang:
                while await reader.read(65536):
                    pass
                return
            try:
                writer.write(chunk)
                await writer.drain()
            except OSError:
                return


# ---------------------------------------------------------------------------------------- the BFF child


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def bff(proxies: dict[str, Proxy], failures: int) -> Iterator[str]:
    """`wispgate serve` with every core system behind its proxy and the breakers opening after `failures`."""
    port = free_port()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("BILLING_", "CRM_", "AAA_", "OSS_", "REDIS"))
    }
    env |= {
        "WISPGATE_ENV": "development",
        "WEB_DIST": str(ROOT / "bench" / "no-web-dist"),
        "LOG_LEVEL": "ERROR",
    }
    for name, proxy in proxies.items():
        prefix = name.upper()
        env |= {
            f"{prefix}_URL": f"http://127.0.0.1:{proxy.port}/_sandbox/{name}",
            f"{prefix}_API_KEY": SERVICE_KEY,
            f"{prefix}_DEADLINE_S": str(DEADLINE_S),
            f"{prefix}_BREAKER_FAILURES": str(failures),
            f"{prefix}_BREAKER_COOLDOWN_S": "3600",  # stays open for the whole measurement
        }
    command = [sys.executable, "-m", "bff.server.cli", "serve", "--port", str(port)]
    # Our own entry point with arguments of our making.
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            if proc.poll() is not None:
                raise SystemExit("the BFF did not start")
            time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# -------------------------------------------------------------------------------------------- measuring


@dataclass
class Cell:
    backend: str
    phase: str  # "healthy", "hung", "open"
    latencies: list[float] = field(default_factory=list)
    codes: set[str] = field(default_factory=set)
    reached: int = 0  # connections to the faulted backend during the measured pages


class Client:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self.page_document = web_operation("DashboardPage", DASHBOARD_PAGE)

    async def login(self) -> None:
        from sandbox.world import BENCH_USER_EMAIL

        body = {"query": LOGIN, "variables": {"email": BENCH_USER_EMAIL, "password": PASSWORD}}
        data = (await self.http.post("/graphql", json=body)).json()["data"]["login"]
        if data["userErrors"] or not data["accessToken"]:
            raise SystemExit(f"login failed: {data}")
        self.http.headers["Authorization"] = f"Bearer {data['accessToken']}"

    async def _post(self, name: str, query: str, variables: dict[str, Any]) -> set[str]:
        response = await self.http.post(
            "/graphql", json={"operationName": name, "query": query, "variables": variables}
        )
        errors = response.json().get("errors") or []
        return {str(e.get("extensions", {}).get("code")) for e in errors} | (
            {f"HTTP {response.status_code}"} if response.status_code != 200 else set()
        )

    async def page(self) -> set[str]:
        variables = {"first": 24, "after": None, "kind": None, "status": None}
        return await self._post("DashboardPage", self.page_document, variables)

    async def breaker(self, backend: str) -> str:
        body = (await self.http.get("/healthz/backends")).json()
        return str(body["backends"][backend]["breaker"])


@contextlib.asynccontextmanager
async def client_of(url: str) -> AsyncIterator[Client]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        client = Client(http)
        await client.login()
        yield client


async def measure(cell: Cell, client: Client, proxy: Proxy | None, pages: int) -> Cell:
    before = proxy.connections if proxy else 0
    for _ in range(pages):
        started = time.perf_counter()
        cell.codes |= await client.page()
        cell.latencies.append(time.perf_counter() - started)
    cell.reached = (proxy.connections - before) if proxy else 0
    return cell


async def run(sandbox_port: int, hung_pages: int, pages: int) -> list[Cell]:
    proxies = {name: Proxy(sandbox_port).start() for name in BACKENDS}
    cells: list[Cell] = []
    try:
        with bff(proxies, FAILURES) as url:
            async with client_of(url) as client:
                for _ in range(5):
                    await client.page()
                cells.append(await measure(Cell("none", "healthy"), client, None, pages))
        for backend in BACKENDS:
            proxy = proxies[backend]
            # Hung, its breaker kept closed: every page waits out the deadline.
            with bff(proxies, failures=10**9) as url:
                async with client_of(url) as client:
                    proxy.set_hang(True)
                    cells.append(await measure(Cell(backend, "hung"), client, proxy, hung_pages))
                    proxy.set_hang(False)
            # Hung, breaker as configured: once open, pages do not wait for it at all.
            with bff(proxies, FAILURES) as url:
                async with client_of(url) as client:
                    proxy.set_hang(True)
                    for _ in range(FAILURES):
                        if await client.breaker(backend) == "open":
                            break
                        await client.page()
                    state = await client.breaker(backend)
                    if state != "open":
                        raise SystemExit(f"{backend}'s breaker did not open: {state}")
                    for _ in range(5):
                        await client.page()
                    cells.append(await measure(Cell(backend, "open"), client, proxy, pages))
                    proxy.set_hang(False)
    finally:
        for proxy in proxies.values():
            proxy.stop()
    return cells


# ------------------------------------------------------------------------------------------- reporting


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def report(cells: list[Cell], load: tuple[str, str]) -> str:
    lines = [
        "## Deadlines and breakers: the dashboard with one backend hung (`bench/resilience.py`)",
        "",
        "The web's dashboard page (its one `DashboardPage` operation) for the bench subscriber",
        f"with N = {N} sub-services; the sandbox, the BFF (`wispgate serve`) and this client in three processes",
        "on loopback, a TCP proxy in front of each core system (in this client's process). Hung = the proxy",
        "accepts and never answers. Product defaults: deadline "
        f'{DEADLINE_S:g} s per call, breaker open after {FAILURES} consecutive failures. "hung" keeps the',
        'breaker closed (so every page waits out the deadline); "open" measures after the breaker opened.',
        'Expected: hung p99 ≤ deadline + 50 ms; open p99 ≤ 20 ms. "reached" = connections the hung',
        "backend received during the measured pages.",
        "",
        "| backend | phase | pages | p50 ms | p99 ms | max ms | reached | error codes | expected p99 |",
        "|---|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for c in cells:
        p99 = pct(c.latencies, 0.99)
        if c.phase == "hung":
            limit = DEADLINE_S + 0.05
            verdict = f"≤ {ms(limit)}: {'yes' if p99 <= limit else 'NO'}"
        elif c.phase == "open":
            verdict = f"≤ 20.0: {'yes' if p99 <= 0.020 else 'NO'}"
        else:
            verdict = "—"
        codes = ", ".join(sorted(c.codes)) or "none"
        lines.append(
            f"| {c.backend} | {c.phase} | {len(c.latencies)} | {ms(pct(c.latencies, 0.5))} | {ms(p99)} "
            f"| {ms(max(c.latencies))} | {c.reached if c.phase != 'healthy' else '—'} | {codes} | {verdict} |"
        )
    lines += [
        "",
        f"Machine load before: {load[0]}; after: {load[1]}. On a machine shared with other work, latencies",
        "include waiting for a CPU (compare each row with the healthy page of the same run); the counts do not.",
    ]
    pressure = cpu_pressure()
    if pressure is not None and pressure > BUSY_PRESSURE:
        lines += [
            "",
            f"**Not representative**: other work kept tasks waiting for a CPU {pressure:.0f} % of the time during",
            "this run; the healthy page alone took the p50/p99 above. Rerun on an idle machine. What holds",
            "whatever the load: a hung backend cost each page one deadline, not more (no page waited two), and",
            'once its breaker was open it was not reached at all ("reached" = 0).',
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--pages", type=int, default=200, help="measured pages per healthy/open cell")
    parser.add_argument("--hung-pages", type=int, default=20, help="measured pages per hung cell")
    args = parser.parse_args()
    started = time.perf_counter()
    load_before = machine_load()
    with child("sandbox", str(N)) as sandbox:
        cells = asyncio.run(run(sandbox.port, args.hung_pages, args.pages))
    text = report(cells, (load_before, machine_load()))
    print(text)
    print(f"\n(whole run {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    if args.write:
        write_section("resilience", text)


if __name__ == "__main__":
    main()
