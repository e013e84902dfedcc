"""The `wispgate` command: `serve` (the BFF), `demo` (BFF + portal + sandbox on one port), `sandbox`, `accounts`
and `schema` (print the GraphQL SDL)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sandbox.settings import SandboxSettings


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


def _run(app: Any, host: str, port: int, forwarded_allow_ips: str = "") -> None:
    import uvicorn

    # The sans-I/O websockets implementation holds an idle subscription in far less memory. X-Forwarded-For
    # is believed only from the proxies the operator names: uvicorn would otherwise trust 127.0.0.1, and a
    # client on the same host could pick its own address (and with it more sign-in attempts).
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        ws="websockets-sansio",
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=forwarded_allow_ips or "",
    )


def _cmd_serve(args: argparse.Namespace) -> int:
    from bff.core.settings import SettingsError, load_settings
    from bff.server.app import create_app

    try:
        settings = load_settings()
    except SettingsError as exc:
        sys.stderr.write(f"wispgate serve: {exc}\n")
        return 2
    app = create_app(settings)
    sys.stdout.write(
        f"WISPGate Portal BFF ({settings.env}) on http://{args.host}:{args.port}\n"
        f"  GraphQL: http://{args.host}:{args.port}/graphql\n"
    )
    sys.stdout.flush()
    _run(app, args.host, args.port, settings.forwarded_allow_ips)
    return 0


def _local(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104 - comparing, not binding


def demo_environment(
    host: str,
    port: int,
    service_key: str,
    base: dict[str, str],
    *,
    gateway_secret_key: str | None = None,
    gateway_webhook_secret: str | None = None,
    events_secret: str | None = None,
) -> dict[str, str]:
    """The BFF's environment for the demo: every backend (and the payment gateway) at this same process's
    `/_sandbox/<system>`, reached over real HTTP like any remote core; the secrets the sandbox signs and
    authenticates with, when given."""
    local = _local(host)
    env = dict(base)
    env.setdefault("WISPGATE_ENV", "development")
    for system in ("billing", "crm", "aaa", "oss"):
        env[f"{system.upper()}_URL"] = f"http://{local}:{port}/_sandbox/{system}"
        env[f"{system.upper()}_API_KEY"] = service_key
    env["GATEWAY_URL"] = f"http://{local}:{port}/_sandbox/gateway"
    shared = {
        "GATEWAY_SECRET_KEY": gateway_secret_key,
        "GATEWAY_WEBHOOK_SECRET": gateway_webhook_secret,
        "CORE_EVENTS_SECRET": events_secret,
    }
    env.update({name: value for name, value in shared.items() if value})
    env.setdefault("PUBLIC_URL", f"http://{local}:{port}")
    return env


def demo_sandbox_settings(settings: SandboxSettings, host: str, port: int) -> SandboxSettings:
    """The sandbox's settings for the demo: its core events and the gateway's webhooks go to this same
    process's BFF, and the gateway's hosted pages are under this process's `/_sandbox`."""
    from dataclasses import replace

    from sandbox.settings import SandboxSettings as Defaults

    base = f"http://{_local(host)}:{port}"
    public_url = settings.public_url
    if public_url == Defaults.public_url:  # not chosen by SANDBOX_PUBLIC_URL
        public_url = f"{base}/_sandbox"
    return replace(
        settings,
        events_url=f"{base}/hooks/core",
        gateway_webhook_url=f"{base}/webhooks/gateway",
        public_url=public_url,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    import os

    from starlette.routing import Mount

    from bff.core.settings import SettingsError, load_settings
    from bff.server.app import create_app
    from sandbox.app import build_sandbox
    from sandbox.settings import load_sandbox_settings

    sandbox_settings = demo_sandbox_settings(load_sandbox_settings(), args.host, args.port)
    try:
        settings = load_settings(
            demo_environment(
                args.host,
                args.port,
                sandbox_settings.service_key,
                dict(os.environ),
                gateway_secret_key=sandbox_settings.gateway_secret_key,
                gateway_webhook_secret=sandbox_settings.gateway_webhook_secret,
                events_secret=sandbox_settings.events_secret,
            )
        )
    except SettingsError as exc:
        sys.stderr.write(f"wispgate demo: {exc}\n")
        return 2
    sandbox = build_sandbox(sandbox_settings)
    try:
        app = create_app(settings, extra_mounts=[Mount("/_sandbox", app=sandbox.asgi())])
        base = f"http://{args.host}:{args.port}"
        sys.stdout.write(
            "WISPGate Portal demo: portal, GraphQL API and core sandbox in one process\n"
            f"  portal:            {base}/\n"
            f"  GraphQL + GraphiQL: {base}/graphql\n"
            f"  sandbox console:   {base}/_sandbox/\n\n"
            f"Portal logins (seeded):\n{format_accounts(_accounts(sandbox.world.today))}\n\n"
        )
        sys.stdout.flush()
        _run(app, args.host, args.port, settings.forwarded_allow_ips)
    finally:
        sandbox.close()
    return 0


def _cmd_schema(_args: argparse.Namespace) -> int:
    from schema.build import build_schema

    sys.stdout.write(build_schema().as_str() + "\n")
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
    p = sub.add_parser(
        "serve", help="serve the BFF (GraphQL API, files, web portal) configured from the environment"
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.set_defaults(func=_cmd_serve)
    p = sub.add_parser("demo", help="BFF + web portal + core sandbox in one process on one port")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=_cmd_demo)
    p = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    p.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
