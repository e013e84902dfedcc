"""`wispgate serve --workers N` as an operator runs it: N processes behind one port whose `/metrics` reports the
whole instance, refused without Redis; and SIGTERM: `/readyz` fails while requests are still served, then
in-flight requests finish and WebSockets are closed with 1012 (service restart)."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from bff.server.cli import build_parser, main
from tests.harness.faultproxy import FaultProxy, Mode
from tests.harness.metrics import value
from tests.harness.portal import BASE_ENV, LOGIN
from tests.harness.process import REPO, Child, free_port, product_env, served, wispgate

PING = {"query": "query Ping { __typename }"}


def test_serve_refuses_several_workers_without_redis(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.setenv("WISPGATE_ENV", "development")
    assert main(["serve", "--workers", "2"]) == 2
    err = capsys.readouterr().err
    assert "--workers 2 needs REDIS_URL" in err and "sessions" in err


@pytest.mark.parametrize("workers", ["0", "65", "two"])
def test_the_worker_count_is_bounded(workers: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--workers", workers])
    assert "--workers" in capsys.readouterr().err


def _env(**extra: str) -> dict[str, str]:
    return product_env(
        WISPGATE_ENV="development",
        JWT_SECRET=BASE_ENV["JWT_SECRET"],
        FILES_SIGNING_KEY=BASE_ENV["FILES_SIGNING_KEY"],
        WEB_DIST=str(REPO / "no-web-dist"),
        LOG_FORMAT="json",
        **extra,
    )


def _pids_serving_graphql(child: Child) -> set[int]:
    pids = set()
    for line in child.output(limit=None).splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("logger") == "wispgate.access" and entry.get("path") == "/graphql":
                pids.add(entry["pid"])
    return pids


async def test_two_workers_serve_one_instance_and_metrics_add_up(redis_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = _env(REDIS_URL=redis_url, REDIS_PREFIX=f"wgtest-{uuid.uuid4().hex[:12]}:")
    with served(
        (
            "wispgate serve --workers 2",
            wispgate("serve", "--port", str(port), "--workers", "2"),
            env,
            f"{base}/readyz",
        )
    ) as [child]:
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:

            async def metrics() -> str:
                return (await http.get("/metrics", headers={"Connection": "close"})).text

            async with asyncio.timeout(90):  # spawning workers on a busy machine takes a while
                while value(await metrics(), "wispgate_workers") != 2:  # noqa: ASYNC110 - another process
                    await asyncio.sleep(0.2)

            async def ping() -> None:
                # A connection of its own each time: the kernel hands new connections to either worker.
                async with httpx.AsyncClient(base_url=base, timeout=30) as one:
                    response = await one.post("/graphql", json=PING)
                    assert response.json() == {"data": {"__typename": "Query"}}

            sent = 0
            async with asyncio.timeout(60):
                while len(_pids_serving_graphql(child)) < 2:
                    await asyncio.gather(*(ping() for _ in range(10)))
                    sent += 10

            # Whichever worker answers /metrics reports both workers' operations.
            for _ in range(6):
                text = await metrics()
                assert value(text, "wispgate_workers") == 2
                assert (
                    value(text, "wispgate_graphql_operation_seconds_count", operation="Ping", type="query")
                    == sent
                )
                assert value(text, "wispgate_backend_breaker_state", backend="billing", state="closed") == 2


async def test_sigterm_drains_then_finishes_requests_and_closes_websockets_with_1012(tmp_path: Path) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hung_crm = FaultProxy("127.0.0.1", free_port()).start()  # nothing behind it: HANG never answers
    hung_crm.set(Mode.HANG)
    env = _env(SHUTDOWN_DRAIN_S="2", CRM_URL=hung_crm.url, CRM_READ_TIMEOUT_S="3", CRM_DEADLINE_S="3")
    try:
        with served(("wispgate serve", wispgate("serve", "--port", str(port)), env, f"{base}/readyz")) as [
            child
        ]:
            async with (
                httpx.AsyncClient(base_url=base, timeout=30) as http,
                httpx.AsyncClient(base_url=base, timeout=30) as late,
                connect(
                    f"ws://127.0.0.1:{port}/graphql", subprotocols=[Subprotocol("graphql-transport-ws")]
                ) as ws,
            ):
                await ws.send(json.dumps({"type": "connection_init"}))
                assert json.loads(await ws.recv()) == {"type": "connection_ack"}

                child.process.send_signal(signal.SIGTERM)
                async with asyncio.timeout(10):
                    while (await http.get("/readyz")).status_code != 503:  # noqa: ASYNC110 - another process
                        await asyncio.sleep(0.05)
                # Draining: the load balancer is told to stop, but what still arrives is served...
                assert (await http.post("/graphql", json=PING)).status_code == 200
                await ws.send(json.dumps({"type": "ping"}))
                assert json.loads(await ws.recv()) == {"type": "pong"}

                # ...and a request in flight when the shutdown starts gets its answer (the CRM hangs, so
                # the login waits for its deadline, well after the drain ends).
                login = {"query": LOGIN, "variables": {"email": "a@b.c", "password": "x", "delivery": "BODY"}}
                in_flight = asyncio.create_task(late.post("/graphql", json=login))
                async with asyncio.timeout(20):
                    with pytest.raises(ConnectionClosed) as closed:
                        while True:
                            await ws.recv()
                    answer = await in_flight
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
                assert answer.status_code in (200, 503) and answer.json().get("errors")
            child.process.wait(
                timeout=20
            )  # it stops by itself (the timeout only turns a hang into a failure)
    finally:
        hung_crm.stop()
