"""Speeds as RADIUS reply attributes, both ways: `Mikrotik-Rate-Limit` ("rx/tx" from the router's side, so
upload first: "10M/50M" is 10 Mbit/s up and 50 Mbit/s down; bursts after a space are ignored) and the WISPr
pair `WISPr-Bandwidth-Max-Down` / `-Up` (bits per second)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from adapters.freeradius.config import RateAttributes

MIKROTIK = "Mikrotik-Rate-Limit"
WISPR_DOWN = "WISPr-Bandwidth-Max-Down"
WISPR_UP = "WISPr-Bandwidth-Max-Up"
ATTRIBUTES: dict[RateAttributes, tuple[str, ...]] = {"mikrotik": (MIKROTIK,), "wispr": (WISPR_DOWN, WISPR_UP)}

_RATE = re.compile(r"^(\d+(?:\.\d+)?)([kKmMgG]?)$")
_UNIT = {"": 1, "k": 1_000, "m": 1_000_000, "g": 1_000_000_000}

Speeds = tuple[int | None, int | None]  # (down, up) in Mbit/s


def _bps(text: str) -> int | None:
    match = _RATE.match(text.strip())
    if match is None:
        return None
    return int(float(match.group(1)) * _UNIT[match.group(2).lower()])


def _mbps(bps: int | None) -> int | None:
    # Below 1 Mbit/s still counts as a (slow) speed, not as none.
    return None if bps is None else max(1, round(bps / 1_000_000)) if bps > 0 else None


def parse_mikrotik(value: str) -> Speeds:
    """`"10M/50M"` → (50, 10); `"20M"` (one rate for both) → (20, 20); unreadable → (None, None)."""
    first = value.strip().strip('"').split()
    if not first:
        return None, None
    rx, _, tx = first[0].partition("/")
    up = _bps(rx)
    down = _bps(tx) if tx else up
    return _mbps(down), _mbps(up)


def speeds_of(kind: RateAttributes, attributes: Iterable[tuple[str, str]]) -> Speeds | None:
    """The speeds the (attribute, value) pairs give, or None when they hold no rate attribute of `kind`."""
    values = {name.lower(): value for name, value in attributes}
    if kind == "mikrotik":
        raw = values.get(MIKROTIK.lower())
        return None if raw is None else parse_mikrotik(raw)
    down, up = values.get(WISPR_DOWN.lower()), values.get(WISPR_UP.lower())
    if down is None and up is None:
        return None
    return _mbps(_bps(down or "")), _mbps(_bps(up or ""))


def reply_values(kind: RateAttributes, down_mbps: int, up_mbps: int) -> list[tuple[str, str]]:
    """The reply attributes that give these speeds."""
    if kind == "mikrotik":
        return [(MIKROTIK, f"{up_mbps}M/{down_mbps}M")]
    return [(WISPR_DOWN, str(down_mbps * 1_000_000)), (WISPR_UP, str(up_mbps * 1_000_000))]
