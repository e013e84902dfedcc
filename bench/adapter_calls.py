"""How many HTTP calls the adapters make to load a subscriber's sub-services with status, devices, invoices
and usage, for N = 1, 10, 100, 1000 sub-services. It must not grow with N: every list-level read is a batch.

The sandbox runs in-process (httpx.ASGITransport behind the real HTTP adapters); a counting transport
records each request. Run: `python bench/adapter_calls.py [--write]` (`--write` updates bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.wispgate.aaa import HttpAaa
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from adapters.wispgate.oss import HttpOss
from bench.results import write_section
from sandbox.app import build_sandbox
from sandbox.settings import SandboxSettings
from sandbox.world import BENCH_SUBSCRIBER_ID


class CountingTransport(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.calls: Counter[str] = Counter()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls[f"{request.method} {request.url.path}"] += 1
        return await self.inner.handle_async_request(request)


async def measure(n: int, repeats: int) -> tuple[int, Counter[str], float, int]:
    sandbox = build_sandbox(SandboxSettings(today=date(2026, 11, 25), bench_subservices=n))
    try:
        from starlette.applications import Starlette
        from starlette.routing import Mount

        app = Starlette(routes=[Mount("/_sandbox", app=sandbox.asgi())])
        transport = CountingTransport(httpx.ASGITransport(app=app))
        key = sandbox.settings.service_key

        def client(name: str) -> CoreClient:
            config = BackendConfig(base_url=f"http://sandbox.test/_sandbox/{name}", api_key=key)
            return CoreClient(name, make_http_client(config, transport=transport))

        crm, aaa, oss, billing = (
            HttpCrm(client("crm")),
            HttpAaa(client("aaa")),
            HttpOss(client("oss")),
            HttpBilling(client("billing")),
        )
        timings = []
        loaded = 0
        for _ in range(repeats):
            transport.calls.clear()
            started = time.perf_counter()
            services = await crm.all_subservices_of(BENCH_SUBSCRIBER_ID)
            ids = [s.id for s in services]
            statuses, devices, invoices, usage = await asyncio.gather(
                aaa.statuses(ids),
                oss.devices_for(ids),
                billing.invoices_for_subservices(ids),
                oss.usage_for(ids),
            )
            timings.append(time.perf_counter() - started)
            loaded = len(ids)
            assert len(statuses) == n and len(devices) == n and len(invoices) == n and len(usage) == n
        return sum(transport.calls.values()), Counter(transport.calls), statistics.median(timings), loaded
    finally:
        sandbox.close()


async def main(write: bool) -> None:
    rows = []
    for n in (1, 10, 100, 1000):
        calls, by_path, median_s, loaded = await measure(n, repeats=5 if n < 1000 else 3)
        rows.append((n, loaded, calls, by_path, median_s))
        print(
            f"N={n:>5}  sub-services loaded={loaded:>5}  HTTP calls={calls}  median {median_s * 1000:.1f} ms"
        )
    paths = sorted({p for *_, by_path, _ in rows for p in by_path})
    lines = [
        "## Adapter calls for a subscriber's sub-services (`bench/adapter_calls.py`)",
        "",
        "Loads sub-services (CRM) then status (AAA), devices and 30-day usage (OSS) and invoices (Billing) through",
        "the HTTP adapters against the in-process sandbox. HTTP calls must not grow with N.",
        "",
        "| N sub-services | loaded | HTTP calls | median wall time (in-process, ms) |",
        "|---:|---:|---:|---:|",
        *[f"| {n} | {loaded} | {calls} | {median_s * 1000:.1f} |" for n, loaded, calls, _, median_s in rows],
        "",
    ]
    same = all(by_path == rows[0][3] for *_, by_path, _ in rows)
    if same:
        lines.append(
            "Calls per endpoint, identical for every N: "
            + ", ".join(f"`{p}` × {rows[0][3][p]}" for p in paths)
        )
    else:
        for n, _, _, by_path, _ in rows:
            lines.append(f"- N={n}: " + ", ".join(f"`{p}` × {by_path[p]}" for p in paths))
    print("\n".join(lines))
    if write:
        write_section("adapter-calls", "\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    asyncio.run(main(parser.parse_args().write))
