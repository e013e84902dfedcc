"""The subscriber portal's static files (the Vite build in `web/dist`) with a single-page-app fallback,
and the security headers every response carries."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.brand import Brand

MISSING_DIST = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>WISPGate Portal</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>WISPGate Portal</h1>
<p>The web portal has not been built yet (no <code>{dist}/index.html</code>). Build it with:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>Then reload this page. The GraphQL API is already available at <a href="/graphql">/graphql</a>.</p>
</body></html>
"""


MISSING_GRAPHIQL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; line-height: 1.5">
<h1>GraphiQL</h1>
<p>GraphiQL is built with the web portal and has not been built yet (no <code>{page}</code>). Build it with:</p>
<pre>cd web &amp;&amp; npm ci &amp;&amp; npm run build</pre>
<p>The API answers at this address meanwhile: POST GraphQL requests as JSON.</p>
</body></html>
"""
# Where the web build puts GraphiQL (web/vite.graphiql.config.ts), under `dist`.
GRAPHIQL_DIR = "graphiql"


@dataclass(frozen=True)
class GraphiQLPage:
    """GraphiQL's page in the web build: served for GET /graphql, its assets by `web_routes` from `dist`."""

    dist: Path
    csp: str

    def response(self) -> Response:
        headers = {"Content-Security-Policy": self.csp, "Cache-Control": "no-cache"}
        page = self.dist / GRAPHIQL_DIR / "index.html"
        if not page.is_file():
            return HTMLResponse(MISSING_GRAPHIQL.format(page=page), headers=headers)
        return FileResponse(page, headers=headers)


def content_security_policy(public_url: str = "", connect_src: tuple[str, ...] = ()) -> str:
    """The pages' CSP, from configuration only: a Host header the client chose never widens it.

    `'self'` covers WebSockets to the same origin in current browsers; older ones need the scheme spelled
    out, which PUBLIC_URL gives (https://portal.example → wss://portal.example)."""
    sources = ["'self'"]
    parts = urlsplit(public_url)
    if parts.scheme in ("http", "https") and parts.netloc:
        sources.append(f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}")
    sources += [s for s in connect_src if s not in sources]
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"connect-src {' '.join(sources)}; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


LOGO_PATH = "/brand/logo"
_THEME_COLOR = re.compile(r'(<meta name="theme-color" content=")[^"]*(")')


def branded(page: str, brand: Brand) -> str:
    """The portal's index.html with the operator's brand: its name for "WISPGate" in the title and texts, its
    colour as the CSS variables every style uses (`--brand`, `--brand-600`, `--brand-50`) and the browser's
    theme colour, and the name, contacts and logo for the app in a JSON data block (`web/src/brand.ts`).
    Inline styles are allowed by the CSP; a JSON block is data, never run, so `script-src 'self'` holds."""
    name = html.escape(brand.name, quote=True)
    data = {
        "name": brand.name,
        "primaryColor": brand.primary_color,
        "supportEmail": brand.support_email,
        "supportPhone": brand.support_phone,
        "logoUrl": LOGO_PATH if brand.logo is not None else None,
    }
    block = json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    head = (
        f'<style id="wg-brand-style">:root{{--brand:{brand.primary_color};--brand-600:{brand.dark_color};'
        f"--brand-50:{brand.tint_color}}}</style>"
        f'<script type="application/json" id="wg-brand">{block}</script>'
    )
    page = page.replace("WISPGate Portal", f"{name}").replace("WISPGate", name)
    page = _THEME_COLOR.sub(lambda m: f"{m.group(1)}{brand.primary_color}{m.group(2)}", page, count=1)
    return page.replace("</head>", f"{head}</head>", 1)


def logo_response(brand: Brand) -> Response:
    """GET /brand/logo: the configured logo, else the default mark in the brand's colour (e-mails link here)."""
    data, kind = (
        (brand.logo, brand.logo_type) if brand.logo is not None else (brand.logo_svg(), "image/svg+xml")
    )
    return Response(
        data,
        media_type=kind,
        headers={
            "Cache-Control": "public, max-age=3600",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
        },
    )


# First path segments that belong to the API, never to a client-side route of the portal.
API_ROOTS = frozenset({"graphql", "webhooks", "hooks", "files", "healthz", "readyz", "_sandbox"})


def web_routes(
    dist: Path, csp: str | None = None, *, graphiql: bool = True, brand: Brand | None = None
) -> list[BaseRoute]:
    """`/` and every path not claimed by an earlier route: a file from `dist`, or `index.html` for a client
    route (a path without a file extension), or 404 for a missing asset. `csp`: the pages' policy.
    `graphiql`: whether GraphiQL's build (dist/graphiql/) is served. `brand`: the operator's, put into every
    index.html served (`branded`) and served at /brand/logo."""
    root = dist.resolve()
    brand = brand or Brand()
    html_headers = {"Content-Security-Policy": csp or content_security_policy(), "Cache-Control": "no-cache"}

    def index_page(index: Path) -> Response:
        return HTMLResponse(branded(index.read_text(encoding="utf-8"), brand), headers=html_headers)

    async def logo(request: Request) -> Response:
        return logo_response(brand)

    async def serve(request: Request) -> Response:
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(MISSING_DIST.format(dist=dist), headers=html_headers)
        relative = request.path_params.get("path", "").lstrip("/")
        first = relative.split("/", 1)[0]
        if first in API_ROOTS or (first == GRAPHIQL_DIR and not graphiql):
            # An API path with the wrong method or a typo: say so, rather than answer with the portal's page.
            return PlainTextResponse("Not Found", status_code=404)
        if relative:
            candidate = (root / relative).resolve()
            if candidate.is_relative_to(root) and candidate.is_file():
                headers = {}
                if relative.startswith("assets/"):
                    # Vite puts a content hash in every asset name: cache them for good.
                    headers["Cache-Control"] = "public, max-age=31536000, immutable"
                if candidate == index:
                    return index_page(index)
                if candidate.suffix == ".html":
                    headers.update(html_headers)
                return FileResponse(candidate, headers=headers)
            if "." in relative.rsplit("/", 1)[-1]:
                return PlainTextResponse("Not Found", status_code=404)
        return index_page(index)

    return [
        Route(LOGO_PATH, logo, methods=["GET", "HEAD"]),
        Route("/", serve, methods=["GET", "HEAD"]),
        Route("/{path:path}", serve, methods=["GET", "HEAD"]),
    ]


class SecurityHeaders:
    """Headers that are right for every response (the CSP is set on HTML pages by `web_routes`). Answers of
    the API (`/graphql`) carry a user's data: no shared or private cache may keep them."""

    HEADERS = (
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"strict-origin-when-cross-origin"),
        (b"x-content-type-options", b"nosniff"),
        # The portal uses none of these powerful features; nothing embedded or injected may either.
        (
            b"permissions-policy",
            b"camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
            b"interest-cohort=()",
        ),
    )
    NO_STORE = (b"cache-control", b"no-store")

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.extra = [*self.HEADERS, *([(b"strict-transport-security", b"max-age=31536000")] if hsts else [])]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        api = scope.get("path", "") == "/graphql"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if api:
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append(self.NO_STORE)
                present = {name.lower() for name, _ in headers}
                headers.extend((k, v) for k, v in self.extra if k not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
