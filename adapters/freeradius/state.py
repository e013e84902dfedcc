"""What a user's FreeRADIUS rows mean in the port's words: the status from its groups, the profile from its
reply attributes. Pure functions, so that reads and writes agree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from adapters.freeradius.config import DownStatus, FreeradiusConfig
from adapters.freeradius.rates import ATTRIBUTES, Speeds, speeds_of

RESTRICTED_PROFILE = "Restricted"


def down_status(config: FreeradiusConfig, groups: Sequence[str]) -> DownStatus | None:
    """The status its groups give a user: a suspension wins over a restriction (it is the stronger one), and
    among equals the group FreeRADIUS reads first (lowest priority)."""
    downs = [config.status_groups[g] for g in groups if g in config.status_groups]
    for wanted in ("SUSPENDED", "RESTRICTED"):
        for down in downs:
            if down[0] == wanted:
                return down
    return None


def plan_group(config: FreeradiusConfig, groups: Sequence[str]) -> str | None:
    """The plan: the first group that is not a status group."""
    return next((g for g in groups if g not in config.status_groups), None)


def rate_rows(config: FreeradiusConfig, rows: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    names = {a.lower() for a in ATTRIBUTES[config.rate_attributes]}
    return [(a, v) for a, v in rows if a.lower() in names]


def speeds(
    config: FreeradiusConfig,
    groups: Sequence[str],
    user_reply: Sequence[tuple[str, str]],
    group_reply: Mapping[str, Sequence[tuple[str, str]]],
    *,
    restricted_group: str | None,
) -> tuple[Speeds, Speeds]:
    """(in force, the plan's) speeds. The plan's come from the user's own reply (what `set_profile`
    writes), else from the plan group's; while restricted, the restriction group's rate is in force (its
    reply must use `:=` so that FreeRADIUS lets it replace the user's)."""
    kind = config.rate_attributes
    plan = plan_group(config, groups)
    own = speeds_of(kind, user_reply)
    if own is None and plan is not None:
        own = speeds_of(kind, group_reply.get(plan, ()))
    planned: Speeds = own or (None, None)
    if restricted_group is not None:
        limited = speeds_of(kind, group_reply.get(restricted_group, ()))
        if limited is not None:
            return limited, planned
    return planned, planned
