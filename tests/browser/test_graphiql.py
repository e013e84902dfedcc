"""GraphiQL at /graphql works offline and signed in with the portal's session (issue 12, item 13): every script
and style comes from the BFF itself, and with the network beyond 127.0.0.1 cut off it loads, sends the CSRF
header from `wg_csrf` with the session cookies, and runs a query; a pasted bearer token works too."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, Route, WebSocket, expect

from .conftest import demo_server
from .helpers import DemoServer, Session

pytestmark = pytest.mark.browser

VIEWER_ROLE = "{ viewer { role } }"


@pytest.fixture(scope="module")
def demo() -> Iterator[DemoServer]:
    """This module's own demo (it redeems a gift card): overrides the package-wide one."""
    with demo_server() as running:
        yield running


class Assets(HTMLParser):
    """The URLs a page loads: script sources and linked styles or module preloads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(found["src"] or "")
        if tag == "link" and found.get("href") and found.get("rel") in ("stylesheet", "modulepreload"):
            self.urls.append(found["href"] or "")


def test_the_page_loads_only_same_origin_assets(demo: DemoServer) -> None:
    with httpx.Client(base_url=demo.base_url, timeout=30) as client:
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        parser = Assets()
        parser.feed(page.text)
        assert any(u.endswith(".js") for u in parser.urls), page.text
        assert any(u.endswith(".css") for u in parser.urls), page.text
        for url in parser.urls:
            absolute = urljoin(demo.base_url + "/graphql", url)
            assert urlsplit(absolute).netloc == urlsplit(demo.base_url).netloc, url  # no CDN
            assert client.get(absolute).status_code == 200, url
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", page.text), page.text


def offline(page: Page) -> list[str]:
    """Cut the page off from everything but 127.0.0.1; the URLs it tried to reach anyway."""
    blocked: list[str] = []

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    page.context.route("**/*", guard)
    return blocked


def start(page: Page, query: str) -> None:
    """Put `query` in GraphiQL's editor and run it."""
    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    expect(editor).to_be_visible()
    editor.evaluate("(node, text) => node.CodeMirror.setValue(text)", query)
    page.locator(".graphiql-execute-button").click()


def run(page: Page, query: str) -> dict[str, Any]:
    """Run `query` in GraphiQL and return the response pane's JSON."""
    start(page, query)
    response = page.locator(".graphiql-response .CodeMirror").first
    expect(response).to_contain_text('"data"')
    text = response.evaluate("node => node.CodeMirror.getValue()")
    result: dict[str, Any] = json.loads(text)
    return result


def test_graphiql_runs_a_query_offline_with_the_portal_session(session: Session) -> None:
    page = session.page
    blocked = offline(page)
    session.login("ana@lima.example")
    session.goto("/graphql")
    # The example operations open as tabs.
    expect(page.get_by_text("Dashboard", exact=True).first).to_be_visible()
    assert run(page, VIEWER_ROLE) == {"data": {"viewer": {"role": "OWNER"}}}
    session.shot()
    assert blocked == [] and session.page_errors == []


def test_graphiql_runs_a_query_with_a_pasted_bearer_token(session: Session, demo: DemoServer) -> None:
    with httpx.Client(base_url=demo.base_url, timeout=30) as client:
        login = client.post(
            "/graphql",
            json={
                "query": 'mutation { login(input: {email: "ana@lima.example", password: "wispgate-demo", '
                "tokenDelivery: BODY}) { accessToken } }"
            },
        )
    token = login.json()["data"]["login"]["accessToken"]
    page = session.page
    blocked = offline(page)
    session.goto("/graphql")  # no session: without the token the viewer is null
    assert run(page, VIEWER_ROLE) == {"data": {"viewer": None}}
    page.get_by_text("Headers", exact=True).first.click()
    headers = page.locator(".graphiql-editor-tool .CodeMirror").last
    expect(headers).to_be_visible()
    headers.evaluate(
        "(node, text) => node.CodeMirror.setValue(text)", json.dumps({"Authorization": f"Bearer {token}"})
    )
    assert run(page, VIEWER_ROLE) == {"data": {"viewer": {"role": "OWNER"}}}
    assert blocked == [] and session.page_errors == []


def test_graphiql_subscribes_over_the_websocket_with_the_portal_session(session: Session) -> None:
    page = session.page
    blocked = offline(page)
    session.login("ana@lima.example")
    session.goto("/graphql")
    # Frames are collected from the socket's first moment: waiting for the `subscribe` frame once the socket is
    # open could start after it was sent (graphql-ws sends it as soon as the server acknowledged).
    sent: list[str] = []

    def collect(socket: WebSocket) -> None:
        socket.on("framesent", lambda payload: sent.append(str(payload)))

    page.on("websocket", collect)
    start(page, "subscription { walletChanged { balance { amount } } }")
    # graphql-ws sends `subscribe` once the server acknowledged the connection (its CSRF token accepted).
    for _ in range(150):
        if any('"subscribe"' in frame for frame in sent):
            break
        page.wait_for_timeout(100)
    assert any('"subscribe"' in frame for frame in sent), sent
    # Another GraphiQL tab of the same browser moves the wallet; the first one hears of it.
    other = page.context.new_page()
    other.goto(session.demo.base_url + "/graphql")
    redeemed = run(other, 'mutation { redeemGiftCard(input: {code: "WG-GIFT-10"}) { userErrors { code } } }')
    assert redeemed == {"data": {"redeemGiftCard": {"userErrors": []}}}
    response = page.locator(".graphiql-response .CodeMirror").first
    expect(response).to_contain_text("walletChanged", timeout=20_000)
    event = json.loads(response.evaluate("node => node.CodeMirror.getValue()"))
    assert set(event["data"]["walletChanged"]["balance"]) == {"amount"}
    assert blocked == [] and session.page_errors == []
