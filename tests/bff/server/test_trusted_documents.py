"""Trusted documents end to end: in production the portal runs only the documents of its manifests, named by
id (`documentId`, `extensions.persistedQuery.sha256Hash`) or sent as their exact text, over HTTP and over the
WebSocket; an operator who opens the API gets a cost limit instead; development runs anything."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx

from bff.core.auth.cookies import CSRF_COOKIE
from bff.core.settings import Settings
from bff.core.trusted import document_id
from sandbox.app import Sandbox
from sandbox.world import DEMO_PASSWORD
from schema.build import TRUSTED_DOCUMENTS_PATH
from tests.harness.portal import MakePortal, Portal, portal_settings

WEB = json.loads(TRUSTED_DOCUMENTS_PATH.read_text())


def web_document(name: str) -> tuple[str, str]:
    """(id, text) of the web portal's operation `name`."""
    pattern = re.compile(rf"\b(query|mutation|subscription) {name}\b")
    [(identifier, text)] = [(k, v) for k, v in WEB.items() if pattern.search(v)]
    return identifier, text


LOGIN_ID, LOGIN_TEXT = web_document("Login")
VIEWER_ID, VIEWER_TEXT = web_document("Viewer")
PRODUCTION = {
    "WISPGATE_ENV": "production",
    "JWT_SECRET": "p" * 40,
    "FILES_SIGNING_KEY": "q" * 40,
    "CORE_EVENTS_SECRET": "c" * 40,
    # The test client speaks plain http: cookies that are not `Secure`, so that it sends them back.
    "COOKIE_SECURE": "false",
}
# Each fans out: 50 sub-services x their devices, add-ons and invoices.
EXPENSIVE = """
{ viewer { subscriber { subServices(first: 50) { nodes {
    devices { serial } addOns { name } billing { openInvoices { number } }
} } } } }
"""


def production(tmp_path: Path, **env: str) -> Settings:
    return portal_settings(tmp_path, **PRODUCTION, **env)


async def post(portal: Portal, body: dict[str, Any]) -> httpx.Response:
    headers = {}
    if portal.client.cookies.get(CSRF_COOKIE):
        headers["X-CSRF-Token"] = portal.client.cookies[CSRF_COOKIE]
    return await portal.client.post("/graphql", json=body, headers=headers)


async def sign_in_by_id(portal: Portal, email: str = "ana@lima.example") -> None:
    response = await post(
        portal, {"documentId": LOGIN_ID, "variables": {"email": email, "password": DEMO_PASSWORD}}
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["login"]["userErrors"] == []


def code(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["extensions"]["code"])


async def test_production_runs_the_web_portals_documents_by_id(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    portal = await make_portal(production(tmp_path))
    await sign_in_by_id(portal)
    by_id = await post(portal, {"documentId": VIEWER_ID})
    assert by_id.status_code == 200, by_id.text
    assert by_id.json()["data"]["viewer"]["user"]["email"] == "ana@lima.example"
    # Apollo-style, as mobile clients (and the web's urql) send it: the bare hex.
    apollo = await post(
        portal, {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": VIEWER_ID[7:]}}}
    )
    assert apollo.json() == by_id.json()
    # The exact text of a trusted document is that document.
    assert (await post(portal, {"query": VIEWER_TEXT})).json() == by_id.json()


async def test_production_refuses_any_other_document_before_parsing_it(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    portal = await make_portal(production(tmp_path))
    await sign_in_by_id(portal)
    for text in (
        "{ viewer { user { email } } }",
        VIEWER_TEXT + " ",  # not the same text
        "{ viewer { " * 400,  # not even GraphQL: refused as untrusted, never parsed
        "query { __schema { types { name } } }",
    ):
        response = await post(portal, {"query": text})
        assert response.status_code == 400, text
        assert code(response) == "OPERATION_NOT_ALLOWED"
        assert "data" not in response.json()
    for unknown in (
        {"documentId": document_id("{ viewer { role } }")},
        {"documentId": "sha256:" + "0" * 64},
        {"documentId": "md5:abc"},
        {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "f" * 64}}},
        # An unknown id with the text: production runs neither.
        {"documentId": "sha256:" + "0" * 64, "query": "{ viewer { role } }"},
    ):
        response = await post(portal, unknown)
        assert response.status_code == 400, unknown
        assert code(response) == "PERSISTED_DOCUMENT_NOT_FOUND"
    for malformed in (
        {"documentId": 12},
        {"extensions": {"persistedQuery": {"version": 1}}},
        {"extensions": {"persistedQuery": "abc"}},
    ):
        response = await post(portal, malformed)
        assert response.status_code == 400 and code(response) == "BAD_REQUEST", malformed


async def test_a_mobile_apps_manifest_is_loaded_from_trusted_documents(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    text = "query MobileMe { viewer { role user { name } } }"
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    (manifests / "ios.json").write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [
                    {"id": document_id(text)[7:], "name": "MobileMe", "type": "query", "body": text}
                ],
            }
        )
    )
    portal = await make_portal(production(tmp_path, TRUSTED_DOCUMENTS=str(manifests)))
    await sign_in_by_id(portal)
    response = await post(portal, {"documentId": document_id(text)})
    assert response.json()["data"]["viewer"] == {"role": "OWNER", "user": {"name": "Ana Lima"}}
    # The web's documents are still trusted.
    assert (await post(portal, {"documentId": VIEWER_ID})).status_code == 200


async def test_an_open_api_runs_any_document_within_the_cost_limit(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    portal = await make_portal(
        production(tmp_path, ALLOW_ARBITRARY_OPERATIONS="true", QUERY_COST_LIMIT="500")
    )
    await sign_in_by_id(portal)
    small = await post(portal, {"query": "{ viewer { user { email } } }"})
    assert small.json()["data"]["viewer"]["user"]["email"] == "ana@lima.example"
    refused = await post(portal, {"query": EXPENSIVE})
    assert refused.status_code == 200
    [error] = refused.json()["errors"]
    assert refused.json().get("data") is None
    assert error["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert error["extensions"]["limit"] == 500 and error["extensions"]["cost"] > 500
    assert str(error["extensions"]["cost"]) in error["message"]
    # Variables count: the same document asking for a small page fits.
    paged = EXPENSIVE.replace("query", "").replace("{ viewer", "query($n: Int) { viewer", 1)
    paged = paged.replace("first: 50", "first: $n")
    assert code_of(await post(portal, {"query": paged, "variables": {"n": 50}})) == "COST_LIMIT_EXCEEDED"
    fits = await post(portal, {"query": paged, "variables": {"n": 2}})
    assert "errors" not in fits.json(), fits.json()
    # The trusted documents are never costed.
    assert (await post(portal, {"documentId": VIEWER_ID})).status_code == 200


def code_of(response: httpx.Response) -> str | None:
    errors = response.json().get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code")


async def test_development_runs_anything_and_knows_the_ids_too(portal: Portal) -> None:
    await sign_in_by_id(portal)
    assert (await post(portal, {"query": EXPENSIVE})).json().get("errors") is None
    assert (await post(portal, {"documentId": VIEWER_ID})).json()["data"]["viewer"]["role"] == "OWNER"
    # An id the server does not know, with the text: development runs the text (a web build being edited).
    response = await post(portal, {"documentId": "sha256:" + "0" * 64, "query": "{ viewer { role } }"})
    assert response.json() == {"data": {"viewer": {"role": "OWNER"}}}
    response = await post(portal, {"documentId": "sha256:" + "0" * 64})
    assert code(response) == "PERSISTED_DOCUMENT_NOT_FOUND"


async def test_a_signed_in_browser_signs_in_again_by_id_without_the_csrf_header(
    make_portal: MakePortal, tmp_path: Path
) -> None:
    """Login is exempt from the CSRF header (it uses no cookie credential) also when named by id."""
    portal = await make_portal(production(tmp_path))
    await sign_in_by_id(portal)
    response = await portal.client.post(
        "/graphql", json={"documentId": LOGIN_ID, "variables": {"email": "ana@lima.example", "password": "x"}}
    )
    assert response.status_code == 200
    assert response.json()["data"]["login"]["userErrors"]
    refused = await portal.client.post("/graphql", json={"documentId": VIEWER_ID})
    assert refused.status_code == 403


async def test_a_multipart_upload_names_its_document_by_id(make_portal: MakePortal, tmp_path: Path) -> None:
    portal = await make_portal(production(tmp_path))
    await sign_in_by_id(portal)
    operations = json.dumps({"documentId": VIEWER_ID, "variables": {"unused": None}})
    response = await portal.client.post(
        "/graphql",
        data={"operations": operations, "map": '{"unused": ["variables.unused"]}'},
        files={"unused": ("a.txt", b"x", "text/plain")},
        headers={"X-CSRF-Token": portal.client.cookies[CSRF_COOKIE]},
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"]["role"] == "OWNER"
    untrusted = json.dumps({"query": "{ viewer { role } }", "variables": {}})
    response = await portal.client.post(
        "/graphql",
        data={"operations": untrusted, "map": "{}"},
        files={"unused": ("a.txt", b"x", "text/plain")},
        headers={"X-CSRF-Token": portal.client.cookies[CSRF_COOKIE]},
    )
    assert response.status_code == 400 and code(response) == "OPERATION_NOT_ALLOWED"


def test_a_websocket_subscribe_is_held_to_the_same_documents(sandbox: Sandbox, tmp_path: Path) -> None:
    from tests.schema.core.test_feed import running, socket, status_event

    status_id, status_text = web_document("ServiceStatusChanged")
    with running(sandbox, production(tmp_path)) as app:
        response = app.client.post(
            "/graphql",
            json={
                "documentId": LOGIN_ID,
                "variables": {"email": "ana@lima.example", "password": DEMO_PASSWORD},
            },
        )
        assert response.json()["data"]["login"]["userErrors"] == []
        with socket(app) as ws:
            # Untrusted text: an `error` message with the code; the socket stays open.
            ws.ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": status_text + " "}})
            refused = ws.receive()
            assert refused["type"] == "error" and refused["id"] == "1"
            assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
            ws.ws.send_json(
                {"id": "2", "type": "subscribe", "payload": {"query": "", "documentId": "sha256:" + "1" * 64}}
            )
            assert ws.receive()["payload"][0]["extensions"]["code"] == "PERSISTED_DOCUMENT_NOT_FOUND"
            # By id, as graphql-ws sends the web's subscriptions: `extensions.persistedQuery`, no text.
            persisted = {"persistedQuery": {"version": 1, "sha256Hash": status_id[7:]}}
            ws.ws.send_json(
                {"id": "3", "type": "subscribe", "payload": {"query": "", "extensions": persisted}}
            )
            app.wait_for_listeners("SUB-1001")
            app.publish(status_event("SUB-1001", "SS-1001-2"))
            message = ws.receive()
            assert message["id"] == "3" and message["type"] == "next", message
            assert message["payload"]["data"]["serviceStatusChanged"]["id"]
