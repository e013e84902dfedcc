"""`deviceTaskChanged` and `serviceIncidentChanged` over a real WebSocket, fed by the OSS sandbox's own events
(its outbox bodies, mapped as `/hooks/core` maps them): each yields what the subscribed user may see, a SITE
user only their sites. As in tests/schema/core/test_feed.py, a test that something is NOT delivered publishes
it first and then something that is: the first message received must be the second one."""

from __future__ import annotations

import json

from bff.core.core_events import bus_event
from sandbox.app import Sandbox
from tests.schema.core.test_feed import ThreadedApp, app, bearer, socket  # noqa: F401 (fixture)
from tests.schema.helpers import gid

TASKS = "subscription { deviceTaskChanged { reference action status device { id } } }"
INCIDENTS = """subscription { serviceIncidentChanged {
  reference kind status title estimatedEnd affectedSubServices { id }
} }"""


def publish_outbox(app: ThreadedApp, sandbox: Sandbox, type_: str) -> int:  # noqa: F811
    """Publish OSS's undelivered events of `type_` on the bus, as /hooks/core would; how many."""
    rows = sandbox.oss.db.all(
        "SELECT id, body FROM event_outbox WHERE type = ? AND status != 'DELIVERED' ORDER BY seq", (type_,)
    )
    for row in rows:
        event = bus_event(json.loads(row["body"]))
        assert event is not None
        app.publish(event)
        sandbox.oss.db.execute("UPDATE event_outbox SET status = 'DELIVERED' WHERE id = ?", (row["id"],))
    return len(rows)


def test_a_task_is_told_pending_then_done(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(TASKS)
        app.wait_for_listeners("SUB-1001")
        task = sandbox.oss.cpe.create_task("DEV-1001-1-2", {"name": "reboot"}, connection_request=True)
        assert publish_outbox(app, sandbox, "device.task_changed") == 1
        first = ws.data(op)["deviceTaskChanged"]
        assert first == {
            "reference": task["id"],
            "action": "REBOOT",
            "status": "PENDING",
            "device": {"id": gid("Device", "DEV-1001-1-2")},
        }
        sandbox.oss.cpe.session("DEV-1001-1-2")
        publish_outbox(app, sandbox, "device.task_changed")
        assert ws.data(op)["deviceTaskChanged"]["status"] == "DONE"


def test_a_site_user_hears_only_of_their_sites_devices(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    token = app.login("apt101@harborview.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(TASKS)
        app.wait_for_listeners("SUB-3001")
        sandbox.oss.cpe.create_task("DEV-3001-201-1", {"name": "reboot"}, connection_request=True)
        mine = sandbox.oss.cpe.create_task("DEV-3001-102-1", {"name": "reboot"}, connection_request=True)
        assert publish_outbox(app, sandbox, "device.task_changed") == 2
        assert ws.data(op)["deviceTaskChanged"]["reference"] == mine["id"]


def test_an_outage_is_told_when_opened_and_resolved(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    token = app.login("apt101@harborview.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(INCIDENTS)
        app.wait_for_listeners("SUB-3001")
        # Another floor's outage first: not this user's sites.
        sandbox.oss.incidents.open(
            {"kind": "OUTAGE", "title": "Floor 2 switch", "access_point": "AP-HARBOR-F2"}
        )
        opened = sandbox.oss.incidents.open(
            {
                "kind": "OUTAGE",
                "title": "Fibre cut on Harbor View Drive",
                "area": "Harbor",
                "estimated_end": "2030-01-01T18:00:00Z",
            }
        )
        assert publish_outbox(app, sandbox, "incident.changed") == 2
        got = ws.data(op)["serviceIncidentChanged"]
        assert got["reference"] == opened["id"] and got["status"] == "OPEN" and got["kind"] == "OUTAGE"
        assert got["estimatedEnd"] == "2030-01-01T18:00:00Z"
        # The whole building is affected; this user sees their two apartments only.
        assert {s["id"] for s in got["affectedSubServices"]} == {
            gid("SubService", "SS-3001-101"),
            gid("SubService", "SS-3001-102"),
        }
        sandbox.oss.incidents.resolve(opened["id"])
        publish_outbox(app, sandbox, "incident.changed")
        assert ws.data(op)["serviceIncidentChanged"]["status"] == "RESOLVED"


def test_another_subscribers_incident_is_not_told(app: ThreadedApp, sandbox: Sandbox) -> None:  # noqa: F811
    token = app.login("ana@lima.example")
    with socket(app, bearer(token)) as ws:
        op = ws.subscribe(INCIDENTS)
        app.wait_for_listeners("SUB-1001")
        sandbox.oss.incidents.open({"kind": "OUTAGE", "title": "Harbor", "area": "Harbor"})
        mine = sandbox.oss.incidents.open(
            {"kind": "MAINTENANCE", "title": "Upgrade", "access_point": "AP-SPW-01"}
        )
        publish_outbox(app, sandbox, "incident.changed")
        assert ws.data(op)["serviceIncidentChanged"]["reference"] == mine["id"]
