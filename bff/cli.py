"""The `wispgate` command: `serve` (the BFF), `demo` (BFF + portal + sandbox on one port), `sandbox`, `accounts`
and `schema` (print the GraphQL SDL)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import Any


def _accounts(today: date) -> list[dict[str, Any]]:
    from sandbox.world import demo_world

    world = demo_world(today)
    by_id = {s.id: s for s in world.subscribers}
    labels = {s.id: s.label for s in world.subservices}
    return [
        {
            "email": u.email,
            "password": u.password,
            "role": u.role,
            "name": u.name,
            "subscriber": by_id[u.subscriber_id].name,
            "kind": by_id[u.subscriber_id].kind,
            "sites": [labels[i] for i in u.site_subservice_ids],
        }
        for u in world.users
    ]


def format_accounts(accounts: list[dict[str, Any]]) -> str:
    header = f"{'e-mail':<30} {'password':<15} {'role':<8} {'subscriber (kind)':<42} sites"
    lines = [header, "-" * len(header)]
    for a in accounts:
        subscriber = f"{a['subscriber']} ({a['kind']})"
        lines.append(
            f"{a['email']:<30} {a['password']:<15} {a['role']:<8} {subscriber:<42} {', '.join(a['sites'])}"
        )
    return "\n".join(lines)


def _cmd_accounts(args: argparse.Namespace) -> int:
    accounts = _accounts(date.today())
    if args.json:
        sys.stdout.write(json.dumps(accounts, indent=2) + "\n")
    else:
        sys.stdout.write(format_accounts(accounts) + "\n")
    return 0


def _cmd_sandbox(args: argparse.Namespace) -> int:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import RedirectResponse
    from starlette.routing import Mount, Route

    from sandbox.app import build_sandbox
    from sandbox.settings import load_sandbox_settings

    settings = load_sandbox_settings()
    sandbox = build_sandbox(settings)
    inner = sandbox.asgi()

    async def home(_request: Any) -> RedirectResponse:
        return RedirectResponse("/_sandbox/")

    app = Starlette(
        routes=[Route("/", home), Mount("/_sandbox", app=inner)],
        lifespan=inner.router.lifespan_context,
    )
    base = f"http://{args.host}:{args.port}/_sandbox"
    sys.stdout.write(
        f"WISPGate core sandbox\n  console:  {base}/\n  contract: {base}/openapi.yaml\n"
        f"  systems:  {base}/billing  {base}/crm  {base}/aaa  {base}/oss\n"
        f"  service key: {settings.service_key}   operator key: {settings.operator_key}\n\n"
        f"Portal logins (seeded):\n{format_accounts(_accounts(date.today()))}\n\n"
    )
    sys.stdout.flush()
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        sandbox.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wispgate", description="WISPGate Portal")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("sandbox", help="serve the core sandbox (Billing, CRM, AAA, OSS) and its console")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=_cmd_sandbox)
    p = sub.add_parser("accounts", help="print the seeded portal logins")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_accounts)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
