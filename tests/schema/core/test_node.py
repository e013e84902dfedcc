"""`node(id)` / `nodes(ids)`: what is not the viewer's to see looks exactly like what does not exist; and the
global-ID codec beneath them: opaque, round-tripping, refusing anything malformed as bad user input."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from bff.core.ids import decode_global_id, encode_global_id
from schema.core.errors import BadUserInput
from schema.core.node import decode_id, decode_id_of, encode_id
from tests.harness.portal import MakePortal, Portal, SignIn
from tests.schema.helpers import codes, gid
from tests.schema.queries import NODE, NODES


async def _node(portal: Portal, global_id: str) -> dict[str, Any]:
    return await portal.execute(NODE, {"id": global_id})


async def _invoice_id_of(portal: Portal) -> str:
    data = await portal.data("{ viewer { subscriber { invoices(first: 1) { nodes { id } } } } }")
    invoice_id: str = data["viewer"]["subscriber"]["invoices"]["nodes"][0]["id"]
    return invoice_id


async def test_site_user_gets_null_alike_for_a_hidden_a_foreign_and_an_unknown_id(
    make_portal: MakePortal,
) -> None:
    ana = await (await make_portal()).sign_in("ana@lima.example")
    anas_invoice = await _invoice_id_of(ana)
    site = await (await make_portal()).sign_in("apt101@harborview.example")

    own = await _node(site, gid("SubService", "SS-3001-101"))
    assert own == {
        "data": {
            "node": {
                "__typename": "SubService",
                "id": gid("SubService", "SS-3001-101"),
                "label": "Internet – Apt 101",
                "status": "ACTIVE",
                "devices": [{"id": gid("Device", "DEV-3001-101-1")}],  # its one ONT
            }
        }
    }

    hidden = await _node(site, gid("SubService", "SS-3001-103"))  # same building, not theirs
    unknown = await _node(site, gid("SubService", "SS-0000-000"))
    foreign_invoice = await _node(site, anas_invoice)
    foreign_subscriber = await _node(site, gid("Subscriber", "SUB-1001"))
    foreign_device = await _node(site, gid("Device", "DEV-1001-1-1"))
    for answer in (hidden, unknown, foreign_invoice, foreign_subscriber, foreign_device):
        assert answer == {"data": {"node": None}}

    batch = await site.data(
        NODES,
        {"ids": [gid("SubService", "SS-3001-102"), gid("SubService", "SS-3001-103"), anas_invoice]},
    )
    assert [n and n["id"] for n in batch["nodes"]] == [gid("SubService", "SS-3001-102"), None, None]


async def test_owner_resolves_own_objects_by_id(sign_in: SignIn) -> None:
    ana = await sign_in("ana@lima.example")
    invoice_id = await _invoice_id_of(ana)
    invoice = (await ana.data(NODE, {"id": invoice_id}))["node"]
    assert invoice["__typename"] == "Invoice" and invoice["number"]
    me = (await ana.data(NODE, {"id": gid("Subscriber", "SUB-1001")}))["node"]
    assert me == {"__typename": "Subscriber", "id": gid("Subscriber", "SUB-1001"), "name": "Ana Lima"}
    device = (await ana.data(NODE, {"id": gid("Device", "DEV-1001-1-1")}))["node"]
    assert device["__typename"] == "Device" and device["serial"]
    tickets = await ana.data("{ viewer { subscriber { tickets { nodes { id number } } } } }")
    first = tickets["viewer"]["subscriber"]["tickets"]["nodes"][0]
    assert (await ana.data(NODE, {"id": first["id"]}))["node"]["number"] == first["number"]


async def test_invoice_of_a_sub_service_the_site_user_may_not_see_is_null(make_portal: MakePortal) -> None:
    manager = await (await make_portal()).sign_in("manager@harborview.example")
    data = await manager.data(
        "{ viewer { subscriber { invoices(first: 100) { nodes { id subService { id } } } } } }"
    )
    invoices = data["viewer"]["subscriber"]["invoices"]["nodes"]
    apt103 = next(i for i in invoices if i["subService"]["id"] == gid("SubService", "SS-3001-103"))
    apt101 = next(i for i in invoices if i["subService"]["id"] == gid("SubService", "SS-3001-101"))
    site = await (await make_portal()).sign_in("apt101@harborview.example")
    assert (await _node(site, apt103["id"])) == {"data": {"node": None}}
    assert (await _node(site, apt101["id"]))["data"]["node"]["subService"]["label"] == "Internet – Apt 101"


async def test_malformed_ids_are_bad_user_input(sign_in: SignIn) -> None:
    portal = await sign_in("ana@lima.example")
    truncated = gid("PortalUser", "USR-1")[:-3] + "@@@"
    for bad in ("not base64!", "not-base64!!", gid("NoSuchType", "x"), "", "Zm9v", truncated):
        answer = await _node(portal, bad)
        assert codes(answer) == ["BAD_USER_INPUT"], (bad, answer)
        assert answer["data"] == {"node": None}, bad
        assert answer["errors"][0]["message"] == "Malformed ID.", bad


async def test_anonymous_has_no_viewer_and_node_is_unauthenticated(portal: Portal) -> None:
    assert await portal.data("{ viewer { role } }") == {"viewer": None}
    for global_id in (gid("SubService", "SS-1001-1"), gid("PortalUser", "USR-1")):
        answer = await _node(portal, global_id)
        assert codes(answer) == ["UNAUTHENTICATED"], global_id
        assert answer["data"] == {"node": None}


# ------------------------------------------------------------------------------------------ the ID codec


def test_global_ids_round_trip_and_are_opaque() -> None:
    gid = encode_id("SubService", "SS-3001-101")
    assert "SS-3001" not in gid and "=" not in gid
    assert decode_id(gid) == ("SubService", "SS-3001-101")
    assert decode_id_of(gid, "SubService") == "SS-3001-101"
    with pytest.raises(BadUserInput, match="Expected the ID of a Invoice"):
        decode_id_of(gid, "Invoice")


@pytest.mark.parametrize("bad", ["", "!!!", "Zm9v", "OlVTUi0x", "dXNyOlVTUi0x", "x" * 600, "QWJjOg"])
def test_malformed_ids_raise_bad_user_input(bad: str) -> None:
    with pytest.raises(BadUserInput) as caught:
        decode_id(bad)
    assert caught.value.extensions["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize("raw", ["SS-3001-101", "INV-ü?/+>~" * 7, "a:b:c"])
def test_global_ids_are_url_safe_unpadded_base64_of_type_and_id(raw: str) -> None:
    # The wire form clients store (bookmarks, mobile caches) must not change with the encoder's implementation.
    expected = base64.urlsafe_b64encode(f"Invoice:{raw}".encode()).decode().rstrip("=")
    assert encode_global_id("Invoice", raw) == expected
    assert "+" not in encode_global_id("Invoice", raw) and "/" not in encode_global_id("Invoice", raw)
    assert decode_global_id(expected) == ("Invoice", raw)


@pytest.mark.parametrize(("type_name", "raw"), [("invoice", "1"), ("Inv oice", "1"), ("Invoice", "")])
def test_no_global_id_from_a_bad_type_name_or_an_empty_id(type_name: str, raw: str) -> None:
    with pytest.raises(ValueError, match="cannot make a global ID"):
        encode_global_id(type_name, raw)
