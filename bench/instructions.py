"""Instructions per page: what one dashboard page costs the BFF and the hand-written reference in CPU
instructions, counted by valgrind's callgrind — a figure that does not move when the 2-core machine is busy.

Process CPU time does move: measured while other work ran here, the BFF's CPU per page doubled (load average 6:
14.1 ms against 8.3 ms quiet, bench/ratio.py), because a shared core runs slower, not because the code changed.
callgrind counts the instructions the process executes, the same in every run for the same code and requests
(within a fraction of a per cent: hash seeds, timers). It cannot say how long an instruction takes, so it
complements `bench/ratio.py` (throughput, CPU time) rather than replacing it; it is what to look at to know
whether a change made a page cheaper when the machine is not quiet.

Per N: the sandbox as in `bench/ratio.py` (no delay), then the BFF and the reference, each in its own process
under `valgrind --tool=callgrind --instr-atstart=no` (instrumentation off while it starts and warms up), the
client signed in once. For each server: 5 warm-up pages, instrumentation on and counters zeroed
(`callgrind_control -i on -z`), PAGES sequential pages, a dump; instructions per page = the dump's total / PAGES.
Pages run one at a time: the count does not depend on concurrency, only on the work per page.

Run: `python bench/instructions.py [--write] [--sizes 1,50,500] [--pages 20]` (needs `valgrind`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.dashboard import Child, Portal  # noqa: E402
from bench.ratio import SECRET_ENV  # noqa: E402
from bench.ratio import child as plain_child  # noqa: E402
from bench.results import write_section  # noqa: E402

SIZES = (1, 50, 500)
PAGES = 20
WARMUPS = 5
RATIO = Path(__file__).with_name("ratio.py")
TOTALS = re.compile(r"^(?:summary|totals):\s+(\d+)", re.MULTILINE)


@contextlib.contextmanager
def counted_child(role: str, arg: str, secret: str, out_dir: Path) -> Iterator[Child]:
    """`bench/ratio.py --child role arg` under callgrind, instrumentation off until asked."""
    cmd = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_dir}/{role}.%p.out",
        sys.executable,
        str(RATIO),
        "--child",
        role,
        arg,
    ]
    env = {**os.environ, SECRET_ENV: secret, "PYTHONHASHSEED": "0"}
    # valgrind running this repository's own script with this interpreter: nothing untrusted.
    proc = subprocess.Popen(  # noqa: S603
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        env=env,
    )
    started = Child(proc, 0)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise SystemExit(f"{role} failed to start under valgrind (exit {proc.wait(timeout=60)})")
        started.port = int(line.split()[1])
        yield started
    finally:
        started.stop()


def control(pid: int, *flags: str) -> None:
    subprocess.run(["callgrind_control", *flags, str(pid)], check=True, capture_output=True, timeout=120)  # noqa: S603, S607


def dumped_total(out_dir: Path, role: str, pid: int) -> int:
    """The instruction total of the latest dump of `pid` (dumps are numbered `.out.1`, `.out.2`, …)."""
    dumps = sorted(out_dir.glob(f"{role}.{pid}.out.*"), key=lambda p: int(p.suffix[1:]))
    if not dumps:
        raise SystemExit(f"no callgrind dump for {role}")
    found = TOTALS.search(dumps[-1].read_text(errors="replace"))
    if found is None:
        raise SystemExit(f"no total in {dumps[-1]}")
    return int(found.group(1))


@dataclass
class Count:
    n: int
    bff: float  # instructions per page
    ref: float
    fields: int  # leaves in the page's answer


async def count_pages(pid: int, pages: int, page: object) -> None:
    run = page  # an async callable
    for _ in range(WARMUPS):
        await run()  # type: ignore[operator]
    control(pid, "-i", "on")
    control(pid, "-z")
    for _ in range(pages):
        await run()  # type: ignore[operator]
    control(pid, "-d")
    control(pid, "-i", "off")


def leaves(value: object) -> int:
    if isinstance(value, dict):
        return sum(leaves(v) for v in value.values())
    if isinstance(value, list):
        return sum(leaves(v) for v in value)
    return 1


@contextlib.asynccontextmanager
async def servers(n: int, out_dir: Path) -> AsyncIterator[tuple[Portal, int, int, int]]:
    secret = secrets.token_urlsafe(32)
    with plain_child("sandbox", str(n), secret) as sandbox:
        base = f"http://127.0.0.1:{sandbox.port}"
        with (
            counted_child("bff", base, secret, out_dir) as bff,
            counted_child("reference", base, secret, out_dir) as ref,
        ):
            async with (
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{bff.port}", timeout=300) as bff_http,
                httpx.AsyncClient(base_url=base, timeout=60) as sandbox_http,
            ):
                portal = Portal(bff_http, sandbox_http, n)
                await portal.login()
                yield portal, bff.proc.pid, ref.proc.pid, ref.port


async def count(n: int, pages: int) -> Count:
    out_dir = Path(tempfile.mkdtemp(prefix="wispgate-callgrind-"))
    try:
        async with servers(n, out_dir) as (portal, bff_pid, ref_pid, ref_port):
            ref_url = f"http://127.0.0.1:{ref_port}/dashboard?first={portal.first}"
            headers = {"authorization": portal.bff.headers["Authorization"]}

            async def ref_page() -> None:
                response = await portal.bff.get(ref_url, headers=headers)
                response.raise_for_status()

            await count_pages(bff_pid, pages, portal.page)
            await count_pages(ref_pid, pages, ref_page)
            fields = leaves(await portal.page_data())
            return Count(
                n,
                dumped_total(out_dir, "bff", bff_pid) / pages,
                dumped_total(out_dir, "reference", ref_pid) / pages,
                fields,
            )
    finally:
        if os.environ.get("BENCH_KEEP_CALLGRIND"):
            print(f"callgrind dumps kept in {out_dir}", file=sys.stderr)
        else:
            shutil.rmtree(out_dir, ignore_errors=True)


def report(counts: list[Count], pages: int) -> str:
    lines = [
        "## Instructions per page, BFF against the hand-written reference (`bench/instructions.py`)",
        "",
        "The dashboard page (the web's `DashboardPage` operation; the reference's `GET /dashboard`, the same",
        "backend reads and answer) for the bench subscriber with N sub-services, no backend delay. Each server",
        "runs under valgrind's callgrind, which counts the instructions it executes: the same count whatever else",
        f"the machine is doing. {WARMUPS} warm-up pages, then {pages} sequential pages counted; per page.",
        "",
        "| N | answer leaves | BFF instructions / page | reference instructions / page | BFF ÷ reference |",
        "|---:|---:|---:|---:|---:|",
    ]
    for c in counts:
        lines.append(
            f"| {c.n} | {c.fields} | {c.bff / 1e6:.1f} M | {c.ref / 1e6:.1f} M | {c.bff / c.ref:.2f} |"
        )
    lines += [
        "",
        f"_Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on CPython {sys.version.split()[0]}, "
        f"valgrind {valgrind_version()}._",
    ]
    return "\n".join(lines)


def valgrind_version() -> str:
    done = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return done.stdout.strip().removeprefix("valgrind-")


async def run_all(sizes: tuple[int, ...], pages: int) -> list[Count]:
    return [await count(n, pages) for n in sizes]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="N values, e.g. 1,50")
    parser.add_argument(
        "--pages", type=int, default=PAGES, help=f"pages counted per server (default {PAGES})"
    )
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install -y valgrind)")
    sizes = tuple(int(s) for s in args.sizes.split(","))
    text = report(asyncio.run(run_all(sizes, args.pages)), args.pages)
    print(text)
    if args.write:
        write_section("instructions", text)


if __name__ == "__main__":
    main()
