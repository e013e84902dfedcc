"""`Subscriber.serviceIncidents` over the OSS sandbox: open outages and planned work affecting the sub-services
the viewer may see (by area or by access point), with the estimate, and the portal notification each affected
sub-service gets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sandbox.app import Sandbox
from tests.harness.portal import SignIn
from tests.schema.helpers import gid

INCIDENTS = """
{ viewer { subscriber { serviceIncidents {
  reference kind status title message planned startsAt estimatedEnd affectedSubServices { id label }
} } } }
"""


def incidents(data: dict) -> list[dict]:  # type: ignore[type-arg]
    return data["viewer"]["subscriber"]["serviceIncidents"]  # type: ignore[no-any-return]


async def test_incidents_reach_whoever_sees_an_affected_sub_service(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    manager = await sign_in("manager@harborview.example")
    site = await sign_in("apt101@harborview.example")
    ana = await sign_in("ana@lima.example")
    assert incidents(await manager.data(INCIDENTS)) == []
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    floor2 = sandbox.oss.incidents.open(
        {
            "kind": "OUTAGE",
            "title": "Floor 2 switch down",
            "message": "A technician is on the way.",
            "access_point": "AP-HARBOR-F2",
            "estimated_end": "2030-01-01T12:00:00Z",
        }
    )
    planned = sandbox.oss.incidents.open(
        {
            "kind": "MAINTENANCE",
            "title": "Core router upgrade",
            "area": "Harbor",
            "starts_at": later.isoformat(),
            "estimated_end": (later + timedelta(hours=2)).isoformat(),
        }
    )
    seen = incidents(await manager.data(INCIDENTS))
    assert [(i["reference"], i["planned"]) for i in seen] == [(floor2["id"], False), (planned["id"], True)]
    assert (
        seen[0]["message"] == "A technician is on the way."
        and seen[0]["estimatedEnd"] == "2030-01-01T12:00:00Z"
    )
    assert len(seen[0]["affectedSubServices"]) == 10 and len(seen[1]["affectedSubServices"]) == 40
    # The SITE user's apartments are on floor 1: only the building-wide work, and only their two.
    mine = incidents(await site.data(INCIDENTS))
    assert [i["reference"] for i in mine] == [planned["id"]]
    assert {s["id"] for s in mine[0]["affectedSubServices"]} == {
        gid("SubService", "SS-3001-101"),
        gid("SubService", "SS-3001-102"),
    }
    assert incidents(await ana.data(INCIDENTS)) == []
    sandbox.oss.incidents.resolve(floor2["id"])
    assert [i["reference"] for i in incidents(await manager.data(INCIDENTS))] == [planned["id"]]


NOTICES = "{ viewer { subscriber { notifications(first: 20) { nodes { title body subService { id } link { path } } } } } }"


def notices(data: dict) -> list[dict]:  # type: ignore[type-arg]
    return [
        n for n in data["viewer"]["subscriber"]["notifications"]["nodes"] if n["title"].startswith("Outage")
    ]  # type: ignore[no-any-return]


async def test_affected_subscribers_are_notified_once_and_site_users_about_their_sites(
    sign_in: SignIn, sandbox: Sandbox
) -> None:
    sandbox.oss.incidents.open(
        {
            "kind": "OUTAGE",
            "title": "Sector down",
            "access_point": "AP-SPW-01",
            "estimated_end": "2030-01-01T12:00:00Z",
        }
    )
    sandbox.oss.incidents.open({"kind": "OUTAGE", "title": "Fibre cut", "area": "Harbor"})
    # Ana has two services on the sector: one notice for her account; Ben one about his only service.
    ana = notices(await (await sign_in("ana@lima.example")).data(NOTICES))
    assert [(n["title"], n["subService"], n["link"]["path"]) for n in ana] == [
        ("Outage: Sector down", None, "/")
    ]
    assert "2030-01-01T12:00:00Z" in ana[0]["body"] and "It affects 2 of your services." in ana[0]["body"]
    ben = notices(await (await sign_in("ben@okafor.example")).data(NOTICES))
    assert [n["subService"] for n in ben] == [{"id": gid("SubService", "SS-1002-1")}]
    # The building: one notice for the manager's account, one per apartment a SITE user looks after (not 40).
    manager = notices(await (await sign_in("manager@harborview.example")).data(NOTICES))
    assert sorted((n["subService"] or {}).get("id", "") for n in manager) == sorted(
        ["", gid("SubService", "SS-3001-101"), gid("SubService", "SS-3001-102")]
    )
    site = notices(await (await sign_in("apt101@harborview.example")).data(NOTICES))
    assert sorted(n["subService"]["id"] for n in site) == sorted(
        [gid("SubService", "SS-3001-101"), gid("SubService", "SS-3001-102")]
    )
