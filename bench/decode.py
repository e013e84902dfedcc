"""Decoding backend answers: the sandbox's real Billing answers for 1, 50 and 500 sub-services, decoded into
records three ways, the CPU each takes and how many objects each leaves for the garbage collector to track.

- `hand-written`: stdlib `json` + the `wire.Fields` readers into frozen dataclasses (what the adapters did;
  kept in `bench/decode_baseline.py`).
- `pydantic`: a `TypeAdapter` over those dataclasses, validating from the bytes.
- `msgspec`: what the adapters do now (`adapters.decode`), bytes straight into the ports' frozen Structs.

The answers are the bench subscriber's `POST /v1/subservice-billing:batch` (the read a py-spy profile of the dashboard found
at 25 % of the BFF's CPU at N = 500) and `POST /v1/invoices:by-subservice`, taken from the in-process sandbox
once; only decoding is timed. Run: `python bench/decode.py [--write]` (`--write` updates bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.routing import Mount

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.decode import Items, decode
from adapters.ports.billing import Invoice, SubServiceBilling
from bench import decode_baseline as baseline
from bench.results import write_section
from sandbox.app import build_sandbox
from sandbox.settings import SandboxSettings
from sandbox.world import BENCH_SUBSCRIBER_ID

SIZES = (1, 50, 500)
ANSWERS = {
    "subservice-billing": "/v1/subservice-billing:batch",
    "invoices": "/v1/invoices:by-subservice",
}


async def answers(n: int) -> dict[str, bytes]:
    """The sandbox's answers for the bench subscriber with `n` sub-services, as they come off the wire."""
    sandbox = build_sandbox(SandboxSettings(today=date(2026, 11, 25), bench_subservices=n))
    try:
        app = Starlette(routes=[Mount("/_sandbox", app=sandbox.asgi())])
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://sandbox.test/_sandbox",
            headers={"x-api-key": sandbox.settings.service_key},
        ) as client:
            listed = await client.get(
                f"/crm/v1/subscribers/{BENCH_SUBSCRIBER_ID}/subservices", params={"limit": 1000}
            )
            ids = [s["id"] for s in listed.json()["items"]]
            assert len(ids) == n, (len(ids), n)
            found = {}
            for name, path in ANSWERS.items():
                response = await client.post(f"/billing{path}", json={"ids": ids})
                response.raise_for_status()
                found[name] = response.content
            return found
    finally:
        sandbox.close()


def decoders() -> dict[str, dict[str, Callable[[bytes], list[Any]]]]:
    return {
        "subservice-billing": {
            "hand-written": baseline.hand_written(baseline.parse_subservice_billing),
            "pydantic": baseline.pydantic(baseline.SubServiceBillingItems),
            "msgspec": lambda body: decode("billing", body, Items[SubServiceBilling], "bench").items,
        },
        "invoices": {
            "hand-written": baseline.hand_written(baseline.parse_invoice),
            "pydantic": baseline.pydantic(baseline.InvoiceItems),
            "msgspec": lambda body: decode("billing", body, Items[Invoice], "bench").items,
        },
    }


def fingerprint(records: list[Any]) -> tuple[int, Decimal]:
    """What every decoder must agree on: how many records and the sum of every amount in them."""
    total = Decimal(0)
    for r in records:
        for name in ("monthly_charge", "outstanding", "total", "amount_paid", "balance"):
            if hasattr(r, name):
                total += getattr(r, name).amount
    return len(records), total


def cpu_per_decode(fn: Callable[[bytes], list[Any]], body: bytes) -> float:
    """CPU seconds of one decode, the best of 9 rounds (the least disturbed by other work on a shared
    machine); the collector stays on, as in the BFF."""
    fn(body)
    loops = 1
    while True:
        started = time.process_time()
        for _ in range(loops):
            fn(body)
        if time.process_time() - started > 0.2:
            break
        loops *= 2
    rounds = []
    for _ in range(9):
        started = time.process_time()
        for _ in range(loops):
            fn(body)
        rounds.append((time.process_time() - started) / loops)
    return min(rounds)


def tracked_objects(fn: Callable[[bytes], list[Any]], body: bytes) -> int:
    """Objects the decoded answer leaves for the garbage collector to track while it is held."""
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        kept = fn(body)
        after = len(gc.get_objects())
        del kept
    finally:
        gc.enable()
    return after - before


def main(write: bool) -> None:
    kinds = decoders()
    rows: list[tuple[str, int, int, str, float, int, float]] = []
    for n in SIZES:
        for name, body in asyncio.run(answers(n)).items():
            prints = {label: fingerprint(fn(body)) for label, fn in kinds[name].items()}
            assert len(set(prints.values())) == 1, (name, n, prints)
            base = None
            for label, fn in kinds[name].items():
                cpu = cpu_per_decode(fn, body)
                base = base or cpu
                tracked = tracked_objects(fn, body)
                rows.append((name, n, len(body), label, cpu, tracked, base / cpu))
                print(f"{name:>18} N={n:>3} {label:>12} {cpu * 1e3:8.3f} ms {tracked:>6} tracked")
    lines = [
        "## Decoding backend answers (`bench/decode.py`)",
        "",
        "The sandbox's real Billing answers for the bench subscriber with N sub-services, decoded into records:",
        "stdlib `json` + the hand-written `wire.Fields` readers into dataclasses (before), a pydantic `TypeAdapter`",
        "over those dataclasses, and msgspec straight into the ports' `Struct`s (`adapters.decode`, now). CPU per",
        "decode is the best of 9 rounds with the garbage collector on; *tracked* counts the objects the decoded",
        "answer leaves for the collector to track. Every decoder checked to read the same records and amounts.",
        "",
        "| answer | N | bytes | decoder | CPU per decode (ms) | × hand-written | GC-tracked objects |",
        "|---|---:|---:|---|---:|---:|---:|",
        *[
            f"| `{name}` | {n} | {size:,} | {label} | {cpu * 1e3:.3f} | {speed:.1f} | {tracked:,} |"
            for name, n, size, label, cpu, tracked, speed in rows
        ],
    ]
    print("\n".join(lines))
    if write:
        write_section("decode", "\n".join(lines))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    main(parser.parse_args().write)
