"""FREERADIUS_* variables → `FreeradiusConfig` (AAA_BACKEND=freeradius; docs/configuration.md, "AAA
backend"). Raises ValueError with the variable's name; `bff.core.settings` turns it into a SettingsError."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from adapters.freeradius.config import DownStatus, FreeradiusConfig, default_status_groups
from adapters.ports.aaa import STATUS_REASONS

DEFAULTS = FreeradiusConfig(database_url="")


def _number(source: Mapping[str, str], name: str, default: float, low: float, high: float) -> float:
    raw = (source.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if not low <= value <= high:
        raise ValueError(f"{name} must be from {low:g} to {high:g}, not {raw!r}")
    return value


def _status_groups(raw: str) -> dict[str, DownStatus]:
    """`suspended=SUSPENDED:NON_PAYMENT,blocked=SUSPENDED:FRAUD,slow=RESTRICTED:USAGE_CAP`."""
    groups: dict[str, DownStatus] = {}
    for item in raw.split(","):
        if not item.strip():
            continue
        group, _, meaning = item.strip().partition("=")
        status, _, reason = meaning.strip().upper().partition(":")
        if not group.strip() or status not in ("SUSPENDED", "RESTRICTED") or reason not in STATUS_REASONS:
            raise ValueError(
                "FREERADIUS_STATUS_GROUPS must list group=SUSPENDED|RESTRICTED:REASON (REASON one of "
                f"{', '.join(STATUS_REASONS)}), not {item.strip()!r}"
            )
        groups[group.strip()] = (status, reason)  # type: ignore[assignment]  # both checked above
    if not groups:
        raise ValueError("FREERADIUS_STATUS_GROUPS lists no group")
    return groups


def _nas(raw: str) -> tuple[dict[str, str], dict[str, int]]:
    """`10.0.0.1=secret,10.0.0.2:1700=other`: each NAS's IP (as radacct.nasipaddress holds it), an
    optional CoA port, and its shared secret (no comma or space in it)."""
    secrets: dict[str, str] = {}
    ports: dict[str, int] = {}
    for item in raw.replace(" ", ",").split(","):
        if not item.strip():
            continue
        address, sep, secret = item.strip().partition("=")
        host, colon, port = address.rpartition(":") if address.count(":") == 1 else (address, "", "")
        if not sep or not secret or not host:
            raise ValueError("FREERADIUS_NAS_SECRETS must list ip[:port]=secret pairs")
        if colon:
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise ValueError(f"FREERADIUS_NAS_SECRETS: bad port for {host}")
            ports[host] = int(port)
        secrets[host] = secret
    return secrets, ports


def load_freeradius(source: Mapping[str, str]) -> FreeradiusConfig:
    url = (source.get("FREERADIUS_DATABASE_URL") or "").strip()
    if urlsplit(url).scheme.split("+")[0] not in ("postgres", "postgresql", "mysql", "mariadb"):
        raise ValueError(
            "FREERADIUS_DATABASE_URL is required with AAA_BACKEND=freeradius: postgresql://user:pass@host/db "
            "or mysql://user:pass@host/db"
        )
    template = source.get("FREERADIUS_USERNAME_TEMPLATE") or DEFAULTS.username_template
    if template.count("{id}") != 1:
        raise ValueError("FREERADIUS_USERNAME_TEMPLATE must hold {id} exactly once, e.g. {id}@isp.example")
    rates = (source.get("FREERADIUS_RATE_ATTRIBUTES") or "mikrotik").strip().lower()
    if rates not in ("mikrotik", "wispr"):
        raise ValueError(f"FREERADIUS_RATE_ATTRIBUTES must be mikrotik or wispr, not {rates!r}")
    zone = (source.get("FREERADIUS_DATABASE_TIMEZONE") or "UTC").strip()
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"FREERADIUS_DATABASE_TIMEZONE must be an IANA zone, not {zone!r}") from None
    secrets, ports = _nas(source.get("FREERADIUS_NAS_SECRETS") or "")
    groups_raw = source.get("FREERADIUS_STATUS_GROUPS") or ""
    return FreeradiusConfig(
        database_url=url,
        username_template=template,
        status_groups=_status_groups(groups_raw) if groups_raw.strip() else default_status_groups(),
        rate_attributes=rates,  # type: ignore[arg-type]  # checked above
        status_priority=int(_number(source, "FREERADIUS_STATUS_PRIORITY", DEFAULTS.status_priority, 0, 1000)),
        plan_priority=int(_number(source, "FREERADIUS_PLAN_PRIORITY", DEFAULTS.plan_priority, 0, 1000)),
        nas_secrets=secrets,
        coa_port=int(_number(source, "FREERADIUS_COA_PORT", DEFAULTS.coa_port, 1, 65535)),
        nas_ports=ports,
        coa_timeout_s=_number(source, "FREERADIUS_COA_TIMEOUT_S", DEFAULTS.coa_timeout_s, 0.05, 30),
        coa_retries=int(_number(source, "FREERADIUS_COA_RETRIES", DEFAULTS.coa_retries, 0, 5)),
        session_stale_s=_number(
            source, "FREERADIUS_SESSION_STALE_S", DEFAULTS.session_stale_s, 0, 30 * 86400
        ),
        pool_size=int(_number(source, "FREERADIUS_POOL_SIZE", DEFAULTS.pool_size, 1, 200)),
        connect_timeout_s=_number(
            source, "FREERADIUS_CONNECT_TIMEOUT_S", DEFAULTS.connect_timeout_s, 0.05, 60
        ),
        database_timezone=zone,
    )
