"""Loads OSS's part of the seed world: each sub-service's area and access point, CPE devices (and the parameter
tree the ACS holds for each), the 90 days of daily usage before the seed's day and add-ons per sub-service.

Usage for 1,000 sub-services is 90,000 rows; they are built in memory and written with one executemany in
one transaction, which keeps seeding well under a second.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.money import round_to_minor
from sandbox.oss import cpe_store
from sandbox.oss.store import device_kind
from sandbox.world import SubServiceSeed, World
from sandbox.world.activity import daily_usage, seeded_session_start, suspended_since

USAGE_DAYS = 90
SERIAL_PREFIX = {"ONT": "HWTC", "ROUTER": "WGRT", "STB": "WGTV", "ATA": "WGVA", "GATEWAY": "WGGW"}
# A locally administered prefix ("WG"), so synthetic MACs never collide with a real vendor's.
MAC_PREFIX = (0x02, 0x57, 0x47)
# The columns of a device row as `_devices` builds it.
DEVICE_KEYS = ("id", "subservice_id", "position", "kind", "model", "serial", "mac", "firmware", "online")


def _mac(index: int) -> str:
    octets = (*MAC_PREFIX, (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF)
    return ":".join(f"{o:02X}" for o in octets)


def _firmware(model: str) -> str:
    rng = random.Random(f"firmware:{model}")
    return f"{rng.randint(1, 5)}.{rng.randint(0, 12)}.{rng.randint(0, 40)}"


def _devices(ss: SubServiceSeed, world: World, first_index: int) -> list[tuple[Any, ...]]:
    rows = []
    midnight = datetime.combine(world.today, time(0), tzinfo=UTC)
    for position, model in enumerate(ss.device_models, start=1):
        device_id = f"DEV-{ss.id.removeprefix('SS-')}-{position}"
        rng = random.Random(f"oss-device:{device_id}")
        kind = device_kind(model)
        signal = round(rng.uniform(-24.0, -15.0), 1) if kind == "ONT" else None
        # Every CPE is powered and online (a suspended sub-service's CPE still answers management).
        last_seen = midnight - timedelta(seconds=rng.randint(1, 900))
        rows.append(
            (
                device_id,
                ss.id,
                position,
                kind,
                model,
                f"{SERIAL_PREFIX[kind]}{rng.randint(0, 99_999_999):08d}",
                _mac(first_index + position),
                _firmware(model),
                1,
                clock.iso(last_seen),
                signal,
            )
        )
    return rows


def _usage(ss: SubServiceSeed, world: World) -> list[tuple[Any, ...]]:
    """The closed days before the seeded sessions began (from then on the sessions' accounting counts), none
    on or after the day a suspended sub-service went down. Every kind is metered: IPTV and VoIP sessions carry
    bytes too."""
    last = seeded_session_start(world).date() - timedelta(days=1)
    down_since = suspended_since(world, ss)
    if down_since is not None:
        last = min(last, down_since.date() - timedelta(days=1))
    rows = []
    for back in range(USAGE_DAYS, 0, -1):
        day = world.today - timedelta(days=back)
        if day > last:
            break
        down, up = daily_usage(ss, day)
        rows.append((ss.id, day.isoformat(), down, up))
    return rows


def _addons(ss: SubServiceSeed, world: World, currency: str) -> list[tuple[Any, ...]]:
    rows = []
    for position, addon in enumerate(ss.add_ons, start=1):
        addon_id = f"ADD-{ss.id.removeprefix('SS-')}-{position}"
        since = world.today - timedelta(days=random.Random(f"oss-addon:{addon_id}").randint(30, 700))
        rows.append(
            (
                addon_id,
                ss.id,
                position,
                addon.name,
                round_to_minor(addon.monthly_price, currency),
                currency,
                since.isoformat(),
            )
        )
    return rows


# Areas of the demo world's enterprise branches (every other location is in Springfield West).
BRANCH_AREAS = {
    "Airport": "Airport District",
    "Riverside": "Springfield East",
    "Hillcrest": "Springfield East",
}


def site(ss: SubServiceSeed) -> tuple[str, str]:
    """The area and the access point a sub-service is served from, derived from where it is."""
    if ss.location.startswith("Apt ") and ss.location[4:].isdigit():
        return "Harbor", f"AP-HARBOR-F{ss.location[4:-2]}"  # one access point per floor
    if ss.location.endswith(" Branch"):
        branch = ss.location.removesuffix(" Branch")
        return BRANCH_AREAS.get(branch, "Springfield Central"), "AP-" + branch.upper().replace(" ", "-")
    if ss.location.startswith("Site ") and ss.location[5:].isdigit():
        return "Bench Park", f"AP-BENCH-{(int(ss.location[5:]) - 1) // 50 + 1:02d}"
    return "Springfield West", "AP-SPW-01" if ss.subscriber_id <= "SUB-1002" else "AP-SPW-02"


def seed(db: Database, world: World, currency: str) -> None:
    subservices, devices, usage, addons = [], [], [], []
    device_index = 0
    for ss in world.subservices:
        subservices.append((ss.id, ss.subscriber_id, ss.kind, *site(ss)))
        devices += _devices(ss, world, device_index)
        device_index += len(ss.device_models)
        usage += _usage(ss, world)
        addons += _addons(ss, world, currency)
    with db.transaction():
        db.execute(
            "INSERT OR REPLACE INTO oss_meta (key, value) VALUES ('today', ?)", (world.today.isoformat(),)
        )
        db.executemany(
            "INSERT INTO oss_subservice (id, subscriber_id, kind, area, access_point) VALUES (?, ?, ?, ?, ?)",
            subservices,
        )
        db.executemany(
            "INSERT INTO oss_device (id, subservice_id, position, kind, model, serial, mac, firmware, online,"
            " last_seen, signal_dbm) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            devices,
        )
        cpes, params = cpe_store.seed_rows([dict(zip(DEVICE_KEYS, d, strict=False)) for d in devices])
        db.executemany(
            "INSERT INTO oss_cpe (device_id, data_model, rejects_tasks, booted_at) VALUES (?, ?, ?, ?)", cpes
        )
        db.executemany(
            "INSERT INTO oss_param (device_id, name, value, type, writable, secret, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            params,
        )
        db.executemany(
            "INSERT INTO oss_usage (subservice_id, day, download_bytes, upload_bytes) VALUES (?, ?, ?, ?)",
            usage,
        )
        db.executemany(
            "INSERT INTO oss_addon (id, subservice_id, position, name, monthly_price_minor, currency,"
            " active_since) VALUES (?, ?, ?, ?, ?, ?, ?)",
            addons,
        )
