"""Bounded requests: for each bad input of the resilience issue's table, the time to the refusal, the answer,
the server's CPU and the growth of its resident memory; and `{ __typename }` latency while 8 clients send the
1,238-field document.

One `wispgate serve` child on loopback, development settings and default limits. No backend is needed:
nothing here gets past the admission of the request (the backends point at a closed port). This process is
the client and speaks raw HTTP/1.1 over asyncio streams, so it can keep sending a body while watching for the
answer: a 413 arrives before a 100 MB body has been sent.

Per bad input: `--samples` requests one after another, each on a new connection. **Time to refusal** = the
first byte sent → the status line received (median); **sent** = body bytes this client had written by then
(the rest is never sent: the server closes the connection); **server CPU** = the child's CPU time per
request; **RSS growth** = the child's peak resident memory during the row (VmHWM, reset through
/proc/PID/clear_refs before each row) minus its resident memory before the row, and **RSS after** = the
resident memory once the row is done.

Under attack: 8 clients each send the 1,238-copies document back to back, each with a new operation name in
the text (`query Dup17 { … }`), so no cache can answer them and each one is parsed and measured; meanwhile one
client sends `{ __typename }` sequentially. Its latency is compared with the same client alone.

Run: `python bench/bounded.py [--samples 5] [--write]`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import select
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.dashboard import cpu_seconds, machine_load, pct  # noqa: E402
from bench.results import write_section  # noqa: E402

MB = 1024 * 1024
CHUNK = 64 * 1024
CHILD_TIMEOUT_S = 600  # the server child exits by itself after this, whatever happens to its parent
ATTACKERS = 8
TYPENAME = "{ __typename }"


def duplicated(name: str = "Dup") -> str:
    return f"query {name} {{ " + " ".join(["__typename"] * 1238) + " }"


@dataclass(frozen=True)
class Bad:
    label: str
    head: dict[str, str]  # extra request headers
    # The body of sample n: bytes, or chunks to send (framed as chunked when no content-length is given).
    make: Callable[[int], Iterator[bytes] | bytes]

    def body(self, n: int) -> Iterator[bytes] | bytes:
        return self.make(n)


def json_body(payload: object) -> bytes:
    return json.dumps(payload).encode()


def repeat(total: int, fill: bytes) -> Iterator[bytes]:
    for _ in range(total // CHUNK):
        yield fill * CHUNK


def bad_inputs() -> list[Bad]:
    nested = b'{"query": "{ __typename }", "variables": {"v": ' + b"[" * 1000 + b"]" * 1000 + b"}}"
    two_million = json_body(
        {
            "query": "query ($ids: [ID!]!) { nodes(ids: $ids) { id } }",
            "variables": {"ids": ["N-1"] * 2_000_000},
        }
    )
    return [
        Bad('body `"hello"`', {}, lambda _: b'"hello"'),
        Bad("invalid UTF-8", {}, lambda _: b'{"query": "{ __typename \xff }"}'),
        Bad("variables nested 1,000 deep", {}, lambda _: nested),
        # A new operation name in each sample: no cache answers it, each is parsed and measured.
        Bad("1,238 copies of one field (20 KB)", {}, lambda n: json_body({"query": duplicated(f"Dup{n}")})),
        Bad(f"2-million-item variable list ({len(two_million) // MB} MB)", {}, lambda _: two_million),
        Bad(
            "100 MB JSON body, Content-Length",
            {"content-length": str(100 * MB)},
            lambda _: repeat(100 * MB, b"["),
        ),
        Bad("100 MB JSON body, chunked", {"transfer-encoding": "chunked"}, lambda _: repeat(100 * MB, b"[")),
    ]


@dataclass(frozen=True)
class Answer:
    status: int
    code: str
    seconds: float
    sent: int


def send(port: int, bad: Bad, n: int) -> Answer:
    """One POST /graphql of `bad` on a new connection; the body keeps going until the answer arrives.

    A blocking socket, not asyncio's transport: once the server has answered and closed, our next write
    fails, and asyncio's transport then closes the socket with the answer unread in it."""
    headers = {"host": "127.0.0.1", "content-type": "application/json", **bad.head}
    body = bad.body(n)
    if isinstance(body, bytes):
        headers["content-length"] = str(len(body))
        chunks: Iterator[bytes] = (body[i : i + CHUNK] for i in range(0, len(body), CHUNK))
    else:
        chunks = body
    chunked = headers.get("transfer-encoding") == "chunked"
    head = "POST /graphql HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        started = time.perf_counter()
        sock.sendall(head.encode())
        sent = 0
        try:
            for chunk in chunks:
                if select.select([sock], [], [], 0)[0]:
                    break  # the answer (or the close) is there: stop sending
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                sent += len(chunk)
            else:
                if chunked:
                    sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed the connection
        received = b""
        at = 0.0
        with contextlib.suppress(ConnectionResetError):
            while b"\r\n\r\n" not in received or not complete(received):
                data = sock.recv(65536)
                if not data:
                    break
                if not received:
                    at = time.perf_counter()
                received += data
    status_line, _, rest = received.partition(b"\r\n")
    content = rest.partition(b"\r\n\r\n")[2]
    code = json.loads(content)["errors"][0]["extensions"]["code"] if content else ""
    return Answer(int(status_line.split()[1]), code, at - started, sent)


def complete(received: bytes) -> bool:
    head, _, content = received.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == b"content-length":
            return len(content) >= int(value)
    return False


def memory(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(value.split()[0])
    return values


def reset_peak(pid: int) -> bool:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def server(port: int) -> Iterator[subprocess.Popen[bytes]]:
    closed = free_port()  # backends at a port nobody listens on: nothing here may reach them
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GRAPHQL_", "REDIS_"))}
    env |= {
        "WISPGATE_ENV": "development",
        **{f"{s}_URL": f"http://127.0.0.1:{closed}/{s.lower()}" for s in ("BILLING", "CRM", "AAA", "OSS")},
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "bff.server.cli", "serve", "--port", str(port)]
    if stopper := shutil.which("timeout"):
        command = [stopper, str(CHILD_TIMEOUT_S), *command]
    child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)  # noqa: S603 - our own entry point
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    break
            if child.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("wispgate serve did not start")
            time.sleep(0.2)
        yield child
    finally:
        child.terminate()
        child.wait(timeout=15)


def server_pid(child: subprocess.Popen[bytes]) -> int:
    """The Python process under `timeout`."""
    children = Path(f"/proc/{child.pid}/task/{child.pid}/children").read_text().split()
    return int(children[0]) if children else child.pid


@dataclass
class Row:
    label: str
    answers: list[Answer]
    cpu_s: float
    growth_kib: int
    after_kib: int


async def measure_bad(port: int, pid: int, bad: Bad, samples: int) -> Row:
    before = memory(pid)["VmRSS"]
    reset_peak(pid)
    cpu = cpu_seconds(pid)
    answers = []
    for n in range(samples):
        answers.append(await asyncio.to_thread(send, port, bad, n))
    cpu = (cpu_seconds(pid) - cpu) / samples
    await asyncio.sleep(0.5)
    after = memory(pid)
    return Row(bad.label, answers, cpu, after["VmHWM"] - before, after["VmRSS"])


async def typename_latency(port: int, seconds: float, attackers: int) -> tuple[list[float], int]:
    """`{ __typename }` latencies (s) of one sequential client for `seconds`, with `attackers` clients sending
    the 1,238-field document meanwhile; and how many attack requests were answered."""
    stop = asyncio.Event()
    answered = 0

    async def attack(n: int) -> None:
        nonlocal answered
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            i = 0
            while not stop.is_set():
                response = await client.post("/graphql", json={"query": duplicated(f"Dup{n}x{i}")})
                assert response.status_code == 400, response.text
                answered += 1
                i += 1

    async def probe() -> list[float]:
        latencies = []
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.post("/graphql", json={"query": TYPENAME})
                latencies.append(time.perf_counter() - started)
                assert response.json() == {"data": {"__typename": "Query"}}, response.text
                await asyncio.sleep(0.02)
        return latencies

    tasks = [asyncio.create_task(attack(n)) for n in range(attackers)]
    await asyncio.sleep(0.5 if attackers else 0)
    latencies = await probe()
    stop.set()
    await asyncio.gather(*tasks)
    return latencies, answered


def human(kib: int) -> str:
    return f"{kib / 1024:+.1f} MiB" if abs(kib) >= 1024 else f"{kib:+d} KiB"


async def run(samples: int, seconds: float) -> str:
    port = free_port()
    rows: list[Row] = []
    with server(port) as child:
        pid = server_pid(child)
        for bad in bad_inputs():
            rows.append(await measure_bad(port, pid, bad, samples))
            print(rows[-1].label, rows[-1].answers[0], file=sys.stderr)
        alone, _ = await typename_latency(port, seconds, 0)
        cpu = cpu_seconds(pid)
        attacked, answered = await typename_latency(port, seconds, ATTACKERS)
        cpu = cpu_seconds(pid) - cpu
        rss = memory(pid)["VmRSS"]

    lines = [
        "## Bounded requests (`bench/bounded.py`)",
        "",
        "One `wispgate serve` on loopback, default limits (JSON body 1 MiB, variables 10,000 values / 16 levels /"
        " 1,000 items, 1,000 selections, 1,000 field pairs); no login. Each bad input sent "
        f"{samples} times, each on a new connection; raw HTTP/1.1, the body still being sent while the answer is "
        "awaited.",
        "",
        "| bad input (before: see the issue) | answer | time to refusal (median) | body sent by then | server CPU "
        "per request | server RSS growth (peak) | server RSS after |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        first = row.answers[0]
        median = statistics.median(a.seconds for a in row.answers)
        sent = max(a.sent for a in row.answers)
        lines.append(
            f"| {row.label} | {first.status} `{first.code}` | {median * 1000:.1f} ms | "
            f"{sent / MB:.1f} MB | {row.cpu_s * 1000:.1f} ms | {human(row.growth_kib)} | {row.after_kib / 1024:.0f} MiB |"
        )
    lines += [
        "",
        f"`{{ __typename }}` from one sequential client for {seconds:.0f} s, alone and while {ATTACKERS} clients send "
        "the 1,238-copies document back to back (a new operation name in each, so no cache answers them):",
        "",
        "| | requests | p50 | p95 | max |",
        "|---|---|---|---|---|",
    ]
    for label, values in (("alone", alone), (f"under attack by {ATTACKERS} clients", attacked)):
        lines.append(
            f"| {label} | {len(values)} | {pct(values, 0.5) * 1000:.1f} ms | {pct(values, 0.95) * 1000:.1f} ms | "
            f"{max(values) * 1000:.1f} ms |"
        )
    lines += [
        "",
        f"During the attack the server refused {answered} documents ({answered / seconds:.0f}/s, "
        f"{cpu / max(answered, 1) * 1000:.1f} ms of CPU each, parse and budget walk included; none validated); "
        f"its RSS at the end: {rss / 1024:.0f} MiB. Machine: {machine_load()}.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--write", action="store_true", help="rewrite this section of bench/RESULTS.md")
    args = parser.parse_args()
    section = asyncio.run(run(args.samples, args.seconds))
    print(section)
    if args.write:
        write_section("bounded", section)


if __name__ == "__main__":
    main()
