"""Account security costs and what an attacker can time, measured in-process (the real app over the sandbox,
no sockets): one argon2id hash/verify; sign-in p50/p99; `requestPasswordReset` for a known and an unknown
address, through the portal (answer time floor) and at the CRM alone (what the floor hides); one
`verifySecondFactor`.

Run: `python bench/account.py [--write]` (`--write` updates the `account` section of bench/RESULTS.md). The
reset limits are lifted for the run (they allow 3 requests per address in 15 minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pyotp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import write_section
from bff.core.auth import credentials
from bff.server.app import create_app
from sandbox.app import build_sandbox
from sandbox.crm.service.passwords import hash_password, verify_password
from sandbox.settings import SandboxSettings
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import LOGIN, portal_settings
from tests.harness.transport import DispatchTransport

REQUEST = "mutation($e: String!) { requestPasswordReset(input: {email: $e}) { ok userErrors { code } } }"
BEGIN = "mutation { beginTotpEnrolment { enrolment { secret } } }"
CONFIRM = "mutation($c: String!) { confirmTotpEnrolment(input: {code: $c}) { recoveryCodes } }"
LOGIN_2FA = """mutation($e: String!, $p: String!) {
  login(input: {email: $e, password: $p, tokenDelivery: BODY}) { secondFactor { challenge } } }"""
VERIFY = """mutation($ch: String!, $c: String) {
  verifySecondFactor(input: {challenge: $ch, code: $c, tokenDelivery: BODY}) { accessToken userErrors { code } } }"""


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def post(
    client: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()["data"]


async def run(samples: int) -> dict[str, Any]:
    credentials.RESET_PER_EMAIL = credentials.RESET_PER_ADDRESS = 10**6
    figures: dict[str, Any] = {}
    hashing, verifying = [], []
    stored = hash_password(DEMO_PASSWORD)
    for _ in range(samples):
        started = time.perf_counter()
        hash_password(DEMO_PASSWORD)
        hashing.append(time.perf_counter() - started)
        started = time.perf_counter()
        verify_password(DEMO_PASSWORD, stored)
        verifying.append(time.perf_counter() - started)
    figures["hash"], figures["verify"] = hashing, verifying

    with tempfile.TemporaryDirectory() as tmp:
        sandbox = build_sandbox(SandboxSettings(today=date(2026, 11, 25), data_dir=Path(tmp) / "sandbox"))
        try:
            transport = DispatchTransport.to(sandbox.systems)
            app = create_app(portal_settings(Path(tmp)), backends_transport=transport)
            async with app.router.lifespan_context(app):
                client = httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app, client=("203.0.113.7", 5000)),
                    base_url="http://portal.test",
                )
                logins = []
                for _ in range(samples):
                    started = time.perf_counter()
                    answer = await post(
                        client,
                        LOGIN,
                        {"email": "ops@northwind.example", "password": DEMO_PASSWORD, "delivery": "BODY"},
                    )
                    logins.append(time.perf_counter() - started)
                    assert answer["login"]["accessToken"], answer
                figures["login"] = logins
                for kind, email in (("known", "ana@lima.example"), ("unknown", "nobody@nowhere.example")):
                    spent = []
                    for _ in range(samples):
                        started = time.perf_counter()
                        answer = await post(client, REQUEST, {"e": email})
                        spent.append(time.perf_counter() - started)
                        assert answer["requestPasswordReset"]["ok"], answer
                    figures[f"reset_{kind}"] = spent
                crm = sandbox.crm.service.credentials
                for kind, email in (("known", "ana@lima.example"), ("unknown", "nobody@nowhere.example")):
                    spent = []
                    for _ in range(samples):
                        started = time.perf_counter()
                        crm.request_reset(email, "http://portal.test/reset-password")
                        spent.append(time.perf_counter() - started)
                    figures[f"crm_reset_{kind}"] = spent
                # A second factor: enrol Ben, then time the second step of each sign-in.
                token = (
                    await post(
                        client,
                        LOGIN,
                        {"email": "ben@okafor.example", "password": DEMO_PASSWORD, "delivery": "BODY"},
                    )
                )["login"]["accessToken"]
                totp = pyotp.TOTP(
                    (await post(client, BEGIN, {}, token))["beginTotpEnrolment"]["enrolment"]["secret"]
                )
                await post(client, CONFIRM, {"c": totp.now()}, token)
                verifies = []
                for i in range(1):  # a code is accepted once, and only the next time step is in the window
                    login = await post(client, LOGIN_2FA, {"e": "ben@okafor.example", "p": DEMO_PASSWORD})
                    challenge = login["login"]["secondFactor"]["challenge"]
                    code = totp.at(time.time() + totp.interval * (i + 1))
                    started = time.perf_counter()
                    answer = await post(client, VERIFY, {"ch": challenge, "c": code})
                    verifies.append(time.perf_counter() - started)
                    assert answer["verifySecondFactor"]["accessToken"], answer
                figures["verify_2fa"] = verifies
                await client.aclose()
        finally:
            sandbox.close()
    return figures


def report(figures: dict[str, Any], samples: int) -> str:
    load = os.getloadavg()[0]
    rows = [
        ("argon2id hash (19 MiB, t=2)", "hash"),
        ("argon2id verify", "verify"),
        ("`login` (CRM verify + session + device check)", "login"),
        ("`requestPasswordReset`, known address", "reset_known"),
        ("`requestPasswordReset`, unknown address", "reset_unknown"),
        ("CRM alone, known address (token + e-mail)", "crm_reset_known"),
        ("CRM alone, unknown address", "crm_reset_unknown"),
        ("`verifySecondFactor` (TOTP code)", "verify_2fa"),
    ]
    lines = [
        "## Account security (bench/account.py)",
        "",
        f"In-process app over the sandbox, {samples} samples each (the second factor: 1, a code being accepted once).",
        "",
        "| what | p50 ms | p99 ms |",
        "|---|---:|---:|",
    ]
    for name, key in rows:
        values = figures[key]
        lines.append(f"| {name} | {statistics.median(values) * 1000:.1f} | {pct(values, 0.99):.1f} |")
    known, unknown = statistics.median(figures["reset_known"]), statistics.median(figures["reset_unknown"])
    lines += [
        "",
        f"A reset request for a known and an unknown address differ by {abs(known - unknown) * 1000:.1f} ms at the "
        f"median through the portal (the answer waits for a {credentials.RESET_ANSWER_FLOOR_S * 1000:.0f} ms floor), "
        f"while the CRM's own work differs by "
        f"{abs(statistics.median(figures['crm_reset_known']) - statistics.median(figures['crm_reset_unknown'])) * 1000:.2f} ms.",
        "",
        f"Load average when it ran: {load:.1f} on this 2-core machine"
        + (
            " — busy: the absolute figures are not representative, the known/unknown comparison still is."
            if load > 1.5
            else "."
        ),
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()
    figures = asyncio.run(run(args.samples))
    text = report(figures, args.samples)
    print(text)
    if args.write:
        write_section("account", text)


if __name__ == "__main__":
    main()
