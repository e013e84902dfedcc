"""What the FreeRADIUS adapter needs to know about an operator's deployment (docs/adapters.md, "FreeRADIUS").

Loaded from the environment by `bff.core.settings` (FREERADIUS_*); everything but the database URL has a
default that matches the operator set-up the docs describe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from adapters.ports.aaa import STATUS_REASONS, ServiceStatusName, StatusReason

RateAttributes = Literal["mikrotik", "wispr"]
DownStatus = tuple[ServiceStatusName, StatusReason]


def default_status_groups() -> dict[str, DownStatus]:
    """One group per status and reason, e.g. `suspended_non_payment`, `restricted_usage_cap`: the reason
    lives in the group's name, so nothing but `radusergroup` says why a subscriber is down."""
    groups: dict[str, DownStatus] = {}
    for reason in STATUS_REASONS:
        groups[f"suspended_{reason.lower()}"] = ("SUSPENDED", reason)
        groups[f"restricted_{reason.lower()}"] = ("RESTRICTED", reason)
    return groups


@dataclass(frozen=True, slots=True)
class FreeradiusConfig:
    # postgresql://user:pass@host:5432/radius or mysql://user:pass@host:3306/radius (holds a password: no repr)
    database_url: str = field(repr=False)
    # The RADIUS user name of a sub-service: this template with `{id}` replaced by the sub-service id.
    username_template: str = "{id}"
    # Group name → (status, reason) for every group that means "not ACTIVE".
    status_groups: dict[str, DownStatus] = field(default_factory=default_status_groups)
    # Which reply attributes carry the speeds: Mikrotik-Rate-Limit, or WISPr-Bandwidth-Max-Down/-Up.
    rate_attributes: RateAttributes = "mikrotik"
    # radusergroup priorities: status groups come first (FreeRADIUS reads groups in ascending priority, so
    # a status group's replies are seen before the plan group's).
    status_priority: int = 0
    plan_priority: int = 10
    # The NAS secrets for CoA / Disconnect-Request, by NAS IP address (radacct.nasipaddress).
    nas_secrets: dict[str, str] = field(default_factory=dict, repr=False)
    coa_port: int = 3799  # RFC 5176's port; per-NAS overrides in `nas_ports`
    nas_ports: dict[str, int] = field(default_factory=dict)
    coa_timeout_s: float = 1.0  # one attempt's wait for the NAS's answer
    coa_retries: int = 2  # retransmissions after the first attempt
    # An open accounting record not updated for this long is a session the NAS lost without a Stop (a
    # reboot): offline. 0 = trust every open record (FreeRADIUS's own stale-session clean-up only).
    session_stale_s: float = 0.0
    pool_size: int = 10
    connect_timeout_s: float = 2.0
    # Naive DATETIME columns (MariaDB's radacct) are in this zone; PostgreSQL's timestamptz carry their own.
    database_timezone: str = "UTC"

    def username(self, subservice_id: str) -> str:
        return self.username_template.replace("{id}", subservice_id)

    def subservice_id(self, username: str) -> str | None:
        head, _, tail = self.username_template.partition("{id}")
        if (
            len(username) <= len(head) + len(tail)
            or not username.startswith(head)
            or not username.endswith(tail)
        ):
            return None
        return username[len(head) : len(username) - len(tail)]

    def group_for(self, status: ServiceStatusName, reason: StatusReason) -> str | None:
        for name, (s, r) in self.status_groups.items():
            if (s, r) == (status, reason):
                return name
        return None
