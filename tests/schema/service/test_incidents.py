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


async def test_each_affected_sub_service_gets_a_notification(sign_in: SignIn, sandbox: Sandbox) -> None:
    sandbox.oss.incidents.open(
        {
            "kind": "OUTAGE",
            "title": "Sector down",
            "access_point": "AP-SPW-01",
            "estimated_end": "2030-01-01T12:00:00Z",
        }
    )
    rows = sandbox.crm.db.all(
        "SELECT subscriber_id, subservice_id, kind, title, body FROM notifications WHERE title LIKE 'Outage:%'"
        " ORDER BY subservice_id"
    )
    assert [(r["subscriber_id"], r["subservice_id"]) for r in rows] == [
        ("SUB-1001", "SS-1001-1"),
        ("SUB-1001", "SS-1001-2"),
        ("SUB-1002", "SS-1002-1"),
    ]
    assert rows[0]["kind"] == "SERVICE_STATUS" and "2030-01-01T12:00:00Z" in rows[0]["body"]
    ana = await sign_in("ana@lima.example")
    titles = await ana.data("{ viewer { subscriber { notifications(first: 5) { nodes { title } } } } }")
    assert "Outage: Sector down" in {
        n["title"] for n in titles["viewer"]["subscriber"]["notifications"]["nodes"]
    }
