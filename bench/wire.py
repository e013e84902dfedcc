"""The CPU one backend call costs the BFF, by wire (`adapters.wispgate.wire`): a `CoreClient.call` (guard,
status mapping and decoding included) over httpx with the aiohttp transport, the same over `RawWire`, and a
bare aiohttp request (what aiohttp's client costs at the least). The backend is a minimal ASGI app under uvicorn in another process
answering a small JSON body at once, so the figure is the client side only: process CPU time per call over
sequential calls, the three ways interleaved in rounds (a busy machine slows them alike).

Run: `python bench/wire.py [--write]` (`--write` updates bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from adapters.resilience.guard import Guard  # noqa: E402
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client, pooled_transport  # noqa: E402
from adapters.wispgate.rawwire import RawWire  # noqa: E402
from bench.results import write_section  # noqa: E402
from tests.harness.process import free_port  # noqa: E402

CALLS = 2000
ROUNDS = 5
BODY = b'{"items":[{"id":"SS-1","status":"ACTIVE","since":"2026-11-01T00:00:00Z"}]}'

SERVER = """
import sys, uvicorn
BODY = {body!r}
async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    await send({{"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]}})
    await send({{"type": "http.response.body", "body": BODY}})
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
"""


async def _wait_for(port: int) -> None:
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.05)
            continue
        writer.close()
        return
    raise SystemExit("the bench backend did not start")


async def cpu_per_call(call: Callable[[], Awaitable[object]]) -> float:
    started = time.process_time()
    for _ in range(CALLS):
        await call()
    return (time.process_time() - started) / CALLS


async def run(port: int) -> dict[str, list[float]]:
    await _wait_for(port)
    base = f"http://127.0.0.1:{port}"
    config = BackendConfig(base_url=base, api_key="k")
    headers = {"x-api-key": "k", "accept": "application/json"}
    raw = RawWire("aaa", base, headers, connect_timeout_s=0.5, read_timeout_s=2.0, max_connections=50)
    async with (
        make_http_client(config, transport=pooled_transport(config)) as http,
        aiohttp.ClientSession(base_url=base, headers=headers) as bare,
    ):
        over_httpx = CoreClient("aaa", http, Guard("aaa"))
        over_raw = CoreClient("aaa", http, Guard("aaa"), wire=raw)
        body = {"ids": ["SS-1"]}

        async def bare_call() -> object:
            async with bare.post("/v1/statuses:batch", json=body) as response:
                return await response.read()

        ways: dict[str, Callable[[], Awaitable[object]]] = {
            "CoreClient over httpx + aiohttp transport": lambda: over_httpx.call(
                "POST", "/v1/statuses:batch", json_body=body, idempotent=True
            ),
            "CoreClient over RawWire (production)": lambda: over_raw.call(
                "POST", "/v1/statuses:batch", json_body=body, idempotent=True
            ),
            "bare aiohttp request (floor)": bare_call,
        }
        for call in ways.values():  # warm: connections, caches
            for _ in range(200):
                await call()
        results: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(ROUNDS):
            for name, call in ways.items():
                results[name].append(await cpu_per_call(call))
    await raw.aclose()
    return results


def report(results: dict[str, list[float]]) -> str:
    lines = [
        "## One backend call's CPU, by wire (`bench/wire.py`)",
        "",
        f"Client-side process CPU per call, {CALLS} sequential `POST` calls per round, {ROUNDS} rounds interleaved;"
        " median and min over rounds, in µs. The backend answers a small JSON body at once from another process.",
        "",
        "| way | median µs/call | min µs/call |",
        "|---|---:|---:|",
    ]
    for name, values in results.items():
        lines.append(f"| {name} | {statistics.median(values) * 1e6:.0f} | {min(values) * 1e6:.0f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = parser.parse_args()
    port = free_port()
    # This interpreter running a fixed script of ours: nothing untrusted.
    server = subprocess.Popen([sys.executable, "-c", SERVER.format(body=BODY), str(port)])  # noqa: S603
    try:
        text = report(asyncio.run(run(port)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(text)
    if args.write:
        write_section("wire", text)


if __name__ == "__main__":
    main()
