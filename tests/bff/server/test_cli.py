"""The `wispgate` command: the new subcommands parse and do their job; the old ones still work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bff.core.settings import load_settings
from bff.server.cli import build_parser, demo_environment, main


def test_schema_prints_the_sdl(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    assert "type Query {" in out and "login(" in out and "): LoginPayload!" in out
    assert "scalar DateTime" in out


def test_accounts_still_work(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["accounts", "--json"]) == 0
    accounts = json.loads(capsys.readouterr().out)
    assert {"email": "ana@lima.example", "role": "OWNER"}.items() <= accounts[0].items()


def test_serve_and_demo_options() -> None:
    parser = build_parser()
    serve = parser.parse_args(["serve", "--host", "0.0.0.0", "--port", "9000"])  # noqa: S104 - parsing only
    assert (serve.host, serve.port) == ("0.0.0.0", 9000)  # noqa: S104
    demo = parser.parse_args(["demo"])
    assert (demo.host, demo.port) == ("127.0.0.1", 8000)
    assert parser.parse_args(["sandbox"]).port == 8000


def test_demo_points_every_backend_at_its_own_sandbox_over_http() -> None:
    env = demo_environment("0.0.0.0", 8123, "the-key", {"JWT_SECRET": "x" * 32})  # noqa: S104
    settings = load_settings(env)
    assert settings.crm.url == "http://127.0.0.1:8123/_sandbox/crm"
    assert settings.billing.api_key == "the-key"
    assert settings.public_url == "http://127.0.0.1:8123"
    assert settings.jwt_secret == "x" * 32
    # The demo shows the choice of gateway: PayPal (the sandbox's emulator) beside Stripe, unless told otherwise.
    assert settings.gateways == ("stripe", "paypal")
    assert settings.paypal.url == "http://127.0.0.1:8123/_sandbox/paypal"
    stripe_only = demo_environment("127.0.0.1", 8123, "k", {"JWT_SECRET": "x" * 32, "GATEWAYS": "stripe"})
    assert load_settings(stripe_only).gateways == ("stripe",)


def test_serve_refuses_bad_settings(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("WISPGATE_ENV", "production")
    monkeypatch.delenv("JWT_SECRET", raising=False)
    assert main(["serve"]) == 2
    assert "JWT_SECRET is required in production" in capsys.readouterr().err


def test_serve_refuses_a_manifest_of_trusted_documents_that_lies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "app.json").write_text('{"sha256:abc": "query { viewer { role } }"}')
    monkeypatch.setenv("TRUSTED_DOCUMENTS", str(tmp_path))
    assert main(["serve"]) == 2
    assert "app.json" in capsys.readouterr().err


def test_serve_trusts_only_the_configured_proxies_and_bounds_websocket_frames(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """uvicorn trusts X-Forwarded-For from 127.0.0.1 unless told otherwise, and takes 16 MiB WebSocket frames:
    `serve` must pass the operator's list (empty by default) and the request body limit."""
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    for name, value in {
        "JWT_SECRET": "j" * 40,
        "FILES_SIGNING_KEY": "f" * 40,
        "GRAPHQL_MAX_BODY_BYTES": "65536",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    assert main(["serve"]) == 0
    assert seen["forwarded_allow_ips"] == ""
    assert seen["ws_max_size"] == 65536

    monkeypatch.setenv("FORWARDED_ALLOW_IPS", "10.0.0.5")
    assert main(["serve"]) == 0
    assert seen["forwarded_allow_ips"] == "10.0.0.5"
