"""OSS's core events on the bus: a task's change names its sub-service and never a value; an incident names
every affected sub-service of the subscriber (so that SITE users get only theirs), as `/hooks/core` maps them."""

from __future__ import annotations

from bff.core.core_events import bus_event


def test_a_task_change_carries_its_ids_and_status_only() -> None:
    event = bus_event(
        {
            "id": "evt_1",
            "type": "device.task_changed",
            "created_at": "2026-11-25T10:00:00Z",
            "subscriber_id": "SUB-1001",
            "subservice_id": "SS-1001-1",
            "data": {"task_id": "TSK-1", "device_id": "DEV-1001-1-2", "status": "DONE", "value": "secret"},
        }
    )
    assert event is not None
    assert event.subservice_ids == ("SS-1001-1",)
    assert dict(event.data) == {"task_id": "TSK-1", "device_id": "DEV-1001-1-2", "status": "DONE"}


def test_an_incident_names_every_affected_sub_service() -> None:
    event = bus_event(
        {
            "id": "evt_2",
            "type": "incident.changed",
            "created_at": "2026-11-25T10:00:00Z",
            "subscriber_id": "SUB-3001",
            "subservice_id": None,
            "data": {"incident_id": "INC-00001", "status": "OPEN", "subservice_ids": ["SS-3001-101", 7, ""]},
        }
    )
    assert event is not None
    assert event.subservice_ids == ("SS-3001-101",)
    assert dict(event.data) == {"incident_id": "INC-00001", "status": "OPEN"}
