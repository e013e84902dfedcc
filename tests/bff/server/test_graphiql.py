"""GraphiQL at GET /graphql: our own build (web/dist/graphiql/, no CDN), in development always and in production
only with GRAPHIQL=true (the page, its assets and introspection go together). The real build in a browser,
offline: tests/browser/test_graphiql.py."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, parse, validate

from tests.harness.portal import Portal, portal_settings

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = sorted((REPO / "web" / "graphiql" / "examples").glob("*.graphql"))
INTROSPECTION = "query { __schema { queryType { name } } }"
PRODUCTION = {
    "WISPGATE_ENV": "production",
    "JWT_SECRET": "p" * 40,
    "FILES_SIGNING_KEY": "q" * 40,
    "CORE_EVENTS_SECRET": "c" * 40,
    "ALLOW_ARBITRARY_OPERATIONS": "true",  # else only the trusted documents run at all
}
PAGE = '<!doctype html><title>GraphiQL</title><script type="module" src="/graphiql/assets/app-1.js"></script>'


def fake_build(tmp_path: Path) -> Path:
    """A web build holding only GraphiQL's page and one asset."""
    dist = tmp_path / "built"
    (dist / "graphiql" / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>portal</title>")
    (dist / "graphiql" / "index.html").write_text(PAGE)
    (dist / "graphiql" / "assets" / "app-1.js").write_text("export {};")
    return dist


async def html(portal: Portal, path: str = "/graphql") -> Any:
    return await portal.client.get(path, headers={"Accept": "text/html"})


async def test_development_serves_the_built_page_and_its_assets(make_portal: Any, tmp_path: Path) -> None:
    portal: Portal = await make_portal(portal_settings(tmp_path, WEB_DIST=str(fake_build(tmp_path))))
    page = await html(portal)
    assert page.status_code == 200 and page.text == PAGE
    assert "script-src 'self'" in page.headers["content-security-policy"]
    asset = await portal.client.get("/graphiql/assets/app-1.js")
    assert asset.status_code == 200 and asset.text == "export {};"


async def test_without_a_build_the_page_says_how_to_build_and_loads_nothing(portal: Portal) -> None:
    page = await html(portal)
    assert page.status_code == 200
    assert "npm run build" in page.text
    assert not re.search(r"<(script|link)\b", page.text)  # strawberry's page pulled GraphiQL from a CDN


async def test_production_has_no_graphiql_unless_asked(make_portal: Any, tmp_path: Path) -> None:
    dist = str(fake_build(tmp_path))
    closed: Portal = await make_portal(portal_settings(tmp_path, WEB_DIST=dist, **PRODUCTION))
    page = await html(closed)
    assert page.status_code == 404 and "graphiql" not in page.text.lower()
    assert (await closed.client.get("/graphiql/assets/app-1.js")).status_code == 404
    assert "introspection" in (await closed.execute(INTROSPECTION))["errors"][0]["message"].lower()

    opened: Portal = await make_portal(
        portal_settings(tmp_path, WEB_DIST=dist, GRAPHIQL="true", **PRODUCTION)
    )
    page = await html(opened)
    assert page.status_code == 200 and page.text == PAGE
    assert (await opened.client.get("/graphiql/assets/app-1.js")).status_code == 200
    # GraphiQL needs the schema to explore and complete against.
    assert (await opened.execute(INTROSPECTION))["data"]["__schema"]["queryType"]["name"] == "Query"


def test_graphiql_is_a_flag() -> None:
    assert not portal_settings(Path("/nowhere"), **PRODUCTION).graphiql
    assert portal_settings(Path("/nowhere"), GRAPHIQL="false").graphiql  # development: always


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_example_operations_are_valid(example: Path) -> None:
    schema = build_schema((REPO / "schema" / "schema.graphql").read_text())
    assert validate(schema, parse(example.read_text())) == []


def test_there_are_examples_for_the_main_flows() -> None:
    texts = " ".join(p.read_text() for p in EXAMPLES)
    assert {"query Dashboard", "query Invoices", "subscription PaymentSettled"} <= set(
        re.findall(r"(?:query|subscription) \w+", texts)
    )
