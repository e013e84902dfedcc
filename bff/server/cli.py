"""The `wispgate` command: `serve` (the BFF), `demo` (BFF + portal + sandbox on one port), `sandbox`, `accounts`
and `schema` (print the GraphQL SDL)."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any

from bff.core.settings import GraphQLLimits, Settings

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


MAX_WORKERS = 64
APP_FACTORY = "bff.server.app:app_from_environment"
log = logging.getLogger("wispgate.cli")


def _run(
    app: Any,
    host: str,
    port: int,
    *,
    log_level: str,
    workers: int = 1,
    forwarded_allow_ips: str = "",
    ws_max_size: int = GraphQLLimits().max_body_bytes,
) -> None:
    """uvicorn with our logging (`bff.core.logs`, configured before): its own access log is off, since
    ours carries the request id and leaves query strings out. `app` is an app, or the factory's import
    string (what `workers > 1` needs). X-Forwarded-For is believed only from the proxies the operator
    names: uvicorn would otherwise trust 127.0.0.1, and a client on the same host could pick its own
    address (and with it more sign-in attempts). A WebSocket message may weigh what a JSON body may:
    uvicorn's own default (16 MiB) would let one frame past the request limits."""
    import uvicorn

    uvicorn.run(
        app,
        host=host,
        port=port,
        factory=isinstance(app, str),
        workers=workers,
        log_config=None,
        log_level=log_level.lower(),
        access_log=False,
        # The sans-I/O websockets implementation holds an idle subscription in far less memory.
        ws="websockets-sansio",
        proxy_headers=True,
        # Passed even when empty: left out, uvicorn reads the environment and trusts 127.0.0.1 by default.
        forwarded_allow_ips=forwarded_allow_ips,
        ws_max_size=ws_max_size,
    )


@contextlib.contextmanager
def multiprocess_metrics() -> Iterator[str]:
    """A directory for prometheus_client's multiprocess mode, in the environment the workers inherit: the
    operator's PROMETHEUS_MULTIPROC_DIR emptied (samples of an earlier run would be added to this one's), or
    a temporary one removed on exit."""
    from bff.core.metrics import MULTIPROC_ENV

    given = os.environ.get(MULTIPROC_ENV)
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.remove(os.path.join(given, name))
        yield given
        return
    made = tempfile.mkdtemp(prefix="wispgate-metrics-")
    os.environ[MULTIPROC_ENV] = made
    try:
        yield made
    finally:
        os.environ.pop(MULTIPROC_ENV, None)
        shutil.rmtree(made, ignore_errors=True)


def _check_manifests(settings: Settings) -> None:
    """The trusted documents' manifests load (the app loads them again in each worker): a manifest that
    cannot be read, or whose ids lie, stops the start with a message rather than a worker's traceback."""
    from bff.core.trusted import TrustedDocuments
    from schema.build import TRUSTED_DOCUMENTS_PATH

    TrustedDocuments.load([TRUSTED_DOCUMENTS_PATH, *settings.trusted_documents])


def _cmd_serve(args: argparse.Namespace) -> int:
    from bff.core.logs import configure_logging
    from bff.core.settings import SettingsError, load_settings
    from bff.core.trusted import ManifestError

    try:
        settings = load_settings()
        _check_manifests(settings)
    except (SettingsError, ManifestError) as exc:
        sys.stderr.write(f"wispgate serve: {exc}\n")
        return 2
    if args.workers > 1 and not settings.redis_url:
        sys.stderr.write(
            f"wispgate serve: --workers {args.workers} needs REDIS_URL. Without Redis each worker process keeps "
            "its own sessions, webhook marks and event bus: a subscriber signed in on one worker would be "
            "signed out by the next, and subscriptions would miss events published on another. Set REDIS_URL, "
            "or run one worker.\n"
        )
        return 2
    configure_logging(settings.log_format, settings.log_level)
    log.info(
        "WISPGate Portal BFF (%s) on http://%s:%s/graphql with %d worker process(es)",
        settings.env,
        args.host,
        args.port,
        args.workers,
    )
    if args.workers == 1:
        _run(
            APP_FACTORY,
            args.host,
            args.port,
            log_level=settings.log_level,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            ws_max_size=settings.limits.max_body_bytes,
        )
        return 0
    with multiprocess_metrics():
        _run(
            APP_FACTORY,
            args.host,
            args.port,
            log_level=settings.log_level,
            workers=args.workers,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            ws_max_size=settings.limits.max_body_bytes,
        )
    return 0


def _workers(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number, not {raw!r}") from None
    if not 1 <= value <= MAX_WORKERS:
        raise argparse.ArgumentTypeError(f"between 1 and {MAX_WORKERS}, not {value}")
    return value


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
    env["PAYPAL_URL"] = f"http://{local}:{port}/_sandbox/paypal"
    # The demo shows the choice of gateway on the payment screens: both, unless GATEWAYS says otherwise.
    env.setdefault("GATEWAYS", "stripe,paypal")
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
    portal_url = settings.portal_url if settings.portal_url != Defaults.portal_url else base
    return replace(
        settings,
        events_url=f"{base}/hooks/core",
        gateway_webhook_url=f"{base}/webhooks/gateway",
        paypal_webhook_url=f"{base}/webhooks/paypal",
        public_url=public_url,
        portal_url=portal_url,
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    import os

    from starlette.routing import Mount

    from bff.core.logs import configure_logging
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
    configure_logging(settings.log_format, settings.log_level)
    # The CRM's e-mails go over real SMTP: to SMTP_URL when set, else to an embedded sink the console shows.
    from dataclasses import replace

    from sandbox.mailsink import MailSink

    sink = None if sandbox_settings.smtp_url else MailSink().start()
    if sink is not None:
        sandbox_settings = replace(sandbox_settings, smtp_url=sink.url)
    sandbox = build_sandbox(sandbox_settings, mail_sink=sink)
    try:
        app = create_app(
            settings, extra_mounts=[Mount("/_sandbox", app=sandbox.asgi())], drain_on_sigterm=True
        )
        base = f"http://{args.host}:{args.port}"
        sys.stdout.write(
            "WISPGate Portal demo: portal, GraphQL API and core sandbox in one process\n"
            f"  portal:            {base}/\n"
            f"  GraphQL + GraphiQL: {base}/graphql\n"
            f"  sandbox console:   {base}/_sandbox/\n"
            # Never the configured SMTP_URL itself: it may carry a password.
            f"  e-mail (SMTP):     "
            f"{f'{sink.url} (embedded sink, shown in the console)' if sink else 'SMTP_URL'}\n\n"
            f"Portal logins (seeded):\n{format_accounts(_accounts(sandbox.world.today))}\n\n"
        )
        sys.stdout.flush()
        _run(
            app,
            args.host,
            args.port,
            log_level=settings.log_level,
            forwarded_allow_ips=settings.forwarded_allow_ips,
            ws_max_size=settings.limits.max_body_bytes,
        )
    finally:
        sandbox.close()
        if sink is not None:
            sink.stop()
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
    p.add_argument(
        "--workers",
        type=_workers,
        default=1,
        help="worker processes sharing the port (more than 1 needs REDIS_URL)",
    )
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
