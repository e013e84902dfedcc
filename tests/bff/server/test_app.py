"""The composition root: health, production lock-down, the web app and its headers (readiness and the
backends' health: test_health.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from redis.asyncio import Redis
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from bff.server.app import create_app
from tests.harness.portal import VIEWER, Portal, portal_settings

INTROSPECTION = "query { __schema { queryType { name } } }"


async def test_healthz(portal: Portal) -> None:
    response = await portal.client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_redis_backed_app_logs_in_and_checks_redis(
    make_portal: Any, tmp_path: Path, redis_url: str
) -> None:
    prefix = f"test:{secrets.token_hex(6)}:"
    portal: Portal = await make_portal(portal_settings(tmp_path, REDIS_URL=redis_url, REDIS_PREFIX=prefix))
    ready = await portal.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"]["redis"]["ok"] is True
    login = await portal.login("ana@lima.example", delivery="BODY")
    assert (await portal.execute(VIEWER, bearer=login["accessToken"]))["data"]["viewer"]["role"] == "OWNER"
    client = Redis.from_url(redis_url)
    try:
        keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
        assert any(b":session:" in k for k in keys)
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def test_development_serves_graphiql_and_introspection(portal: Portal) -> None:
    page = await portal.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    assert (await portal.execute(INTROSPECTION))["data"]["__schema"]["queryType"]["name"] == "Query"


async def test_production_refuses_introspection_and_has_no_graphiql(make_portal: Any, tmp_path: Path) -> None:
    # Even with the API opened to arbitrary operations (else only the trusted documents run at all).
    portal: Portal = await make_portal(
        portal_settings(
            tmp_path,
            WISPGATE_ENV="production",
            JWT_SECRET="p" * 40,
            FILES_SIGNING_KEY="q" * 40,
            CORE_EVENTS_SECRET="c" * 40,
            ALLOW_ARBITRARY_OPERATIONS="true",
        )
    )
    page = await portal.client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert "graphiql" not in page.text.lower()
    payload = await portal.execute(INTROSPECTION)
    assert payload.get("data") is None
    assert "introspection" in payload["errors"][0]["message"].lower()
    typo = await portal.execute("query { viewr { role } }")
    assert "Did you mean" not in typo["errors"][0]["message"]
    # No suggestion of any kind: arguments, input fields, enum values, type names (with a variable too).
    for probe, variables in (
        ("{ viewer { accessLog(frist: 1) { totalCount } } }", None),
        ('mutation { login(input: {emial: "a", password: "b"}) { userErrors { code } } }', None),
        ('mutation { login(input: {email: "a", password: "b", tokenDelivery: BOD}) { accessToken } }', None),
        ("query($d: TokenDelivry) { __typename }", None),
        (
            "mutation($i: LoginInput!) { login(input: $i) { accessToken } }",
            {"i": {"email": "a", "password": "b", "tokenDelivery": "BOD"}},
        ),
    ):
        refused = await portal.execute(probe, variables)
        assert refused["errors"], probe
        assert all("Did you mean" not in e["message"] for e in refused["errors"]), refused
    # Production cookies are Secure.
    response = await portal.post(
        'mutation { login(input: {email: "ana@lima.example", password: "wispgate-demo"}) { userErrors { code } } }'
    )
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


async def test_queries_over_get_are_refused(portal: Portal) -> None:
    # A cross-site <img src="/graphql?query=..."> must not run anything with the viewer's cookies.
    response = await portal.client.get("/graphql", params={"query": "{ viewer { role } }"})
    assert response.status_code == 400
    assert "data" not in response.text


async def test_missing_web_build_explains_itself(portal: Portal) -> None:
    response = await portal.client.get("/")
    assert response.status_code == 200
    assert "npm run build" in response.text
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert (await portal.client.get("/invoices")).status_code == 200


async def test_web_app_files_spa_fallback_and_headers(make_portal: Any, tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>WISPGate</title><div id=root></div>")
    (dist / "assets" / "app-1234.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("outside the dist")
    portal: Portal = await make_portal(portal_settings(tmp_path, PUBLIC_URL="https://portal.example.net"))

    # The policy comes from configuration: a Host header the client sends cannot widen it.
    home = await portal.client.get("/", headers={"host": "evil.example"})
    assert home.status_code == 200 and "WISPGate" in home.text
    csp = home.headers["content-security-policy"]
    assert "connect-src 'self' wss://portal.example.net;" in csp and "evil" not in csp
    assert "frame-ancestors 'none'" in csp
    assert home.headers["x-frame-options"] == "DENY"
    assert home.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in home.headers["permissions-policy"]

    asset = await portal.client.get("/assets/app-1234.js")
    assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
    route = await portal.client.get("/services/SS-1/usage")
    assert route.status_code == 200 and "WISPGate" in route.text
    assert (await portal.client.get("/assets/missing-999.js")).status_code == 404
    escape = await portal.client.get("/..%2Fsecret.txt")
    assert "outside the dist" not in escape.text
    # API routes are not swallowed by the SPA fallback, nor are API paths a GET does not serve.
    assert (await portal.client.get("/healthz")).json() == {"status": "ok"}
    for path in ("/webhooks/gateway", "/hooks/core", "/files/nope", "/graphql/x"):
        wrong = await portal.client.get(path)
        assert wrong.status_code == 404 and "WISPGate" not in wrong.text, path


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[int]:
    """The app under a real uvicorn on a loopback port (WebSockets need a real server)."""
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="websockets-sansio")
    )
    task = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(10):
            while not server.started:  # noqa: ASYNC110 - uvicorn.Server offers only this flag
                await asyncio.sleep(0.01)
        yield server.servers[0].sockets[0].getsockname()[1]
    finally:
        server.should_exit = True
        await task


async def test_websocket_speaks_only_graphql_transport_ws_and_checks_origin(tmp_path: Path) -> None:
    app = create_app(portal_settings(tmp_path, ALLOWED_ORIGINS="https://app.example"))
    async with serving(app) as port:
        url = f"ws://127.0.0.1:{port}/graphql"
        async with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as ws:
            assert ws.subprotocol == "graphql-transport-ws"
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        # The legacy protocol (which could skip connection_init) is not offered.
        async with connect(url, subprotocols=[Subprotocol("graphql-ws")]) as ws:
            with pytest.raises(ConnectionClosed) as closed:
                await ws.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 4406
        allowed = {"Origin": "https://app.example"}
        async with connect(
            url, subprotocols=[Subprotocol("graphql-transport-ws")], additional_headers=allowed
        ) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        with pytest.raises(InvalidStatus) as refused:
            async with connect(
                url,
                subprotocols=[Subprotocol("graphql-transport-ws")],
                additional_headers={"Origin": "https://evil.example"},
            ):
                pass
        assert refused.value.response.status_code == 403


async def test_api_answers_are_never_cached(portal: Portal) -> None:
    signed_in = await portal.another().sign_in("ana@lima.example")
    for response in (
        await portal.post("{ __typename }"),
        await signed_in.post("{ viewer { user { email } } }"),
        await portal.client.post(
            "/graphql", content=b"not json", headers={"content-type": "application/json"}
        ),
    ):
        assert response.headers["cache-control"] == "no-store"
        assert "geolocation=()" in response.headers["permissions-policy"]


async def test_the_portal_page_carries_the_operators_brand(make_portal: Any, tmp_path: Path) -> None:
    """Issue 12: index.html as served has the operator's name, colour (CSS variables), contacts and logo."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text(
        '<!doctype html><html><head><meta name="theme-color" content="#0f4c81" />'
        "<title>WISPGate Portal</title></head><body><noscript>The WISPGate portal needs JavaScript."
        "</noscript><div id=root></div></body></html>"
    )
    logo = tmp_path / "acme.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n-acme-")
    portal: Portal = await make_portal(
        portal_settings(
            tmp_path,
            BRAND_NAME="Acme Fiber",
            BRAND_PRIMARY_COLOR="#7a1f5c",
            BRAND_SUPPORT_EMAIL="help@acme.example",
            BRAND_SUPPORT_PHONE="+1 555 0199",
            BRAND_LOGO_FILE=str(logo),
        )
    )
    for path in ("/", "/invoices", "/index.html"):
        page = (await portal.client.get(path)).text
        assert "<title>Acme Fiber</title>" in page and "The Acme Fiber portal needs JavaScript" in page, path
        assert "WISPGate" not in page, path
        assert '<meta name="theme-color" content="#7a1f5c" />' in page
        assert ":root{--brand:#7a1f5c;--brand-600:#62194a;--brand-50:#f2e9ef}" in page
        block = page.split('<script type="application/json" id="wg-brand">', 1)[1].split("</script>", 1)[0]
        assert json.loads(block) == {
            "name": "Acme Fiber",
            "primaryColor": "#7a1f5c",
            "supportEmail": "help@acme.example",
            "supportPhone": "+1 555 0199",
            "logoUrl": "/brand/logo",
        }
    served = await portal.client.get("/brand/logo")
    assert served.status_code == 200 and served.headers["content-type"] == "image/png"
    assert served.content == logo.read_bytes()


async def test_without_a_logo_the_mark_is_served_in_the_brand_colour(
    make_portal: Any, tmp_path: Path
) -> None:
    portal: Portal = await make_portal(portal_settings(tmp_path, BRAND_PRIMARY_COLOR="#1d5e3a"))
    served = await portal.client.get("/brand/logo")
    assert served.status_code == 200 and served.headers["content-type"].startswith("image/svg+xml")
    assert b'fill="#1d5e3a"' in served.content
