"""FreeRADIUS fixtures: one PostgreSQL database and one `freeradius -X` per test session, a MariaDB
database, NAS emulators on loopback, and the adapter over each database. Each test provisions users of
its own (unique names), so tests share the databases without seeing each other."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from adapters.freeradius.aaa import FreeradiusAaa
from adapters.freeradius.config import FreeradiusConfig
from adapters.freeradius.sql import MysqlDatabase, PostgresDatabase
from adapters.resilience.guard import Guard, Policy
from tests.adapters.freeradius.databases import mariadb_database, postgres_database
from tests.adapters.freeradius.nas import NasEmulator, start_nas
from tests.adapters.freeradius.radiusd import Radiusd, running

RADIUS_SECRET = "radius-client-secret"
NAS_SECRET = "nas-coa-secret-0123"
LIVE_NAS = "127.0.0.1"  # answers CoA
DEAD_NAS = "127.0.0.2"  # receives and never answers
PLAN = "Fiber 100"
PLAN_RATE = "20M/100M"  # 20 up, 100 down
CAP_RATE = "1M/2M"
WALLED_GARDEN_RATE = "64k/64k"

# The operator's set-up, as docs/adapters.md describes it: a plan group with its rate, a usage-cap
# restriction that replaces the rate (`:=`), a non-payment suspension that keeps a walled-garden session,
# and a fraud suspension that refuses to authenticate.
GROUP_REPLIES = [
    (PLAN, "Mikrotik-Rate-Limit", "=", PLAN_RATE),
    ("restricted_usage_cap", "Mikrotik-Rate-Limit", ":=", CAP_RATE),
    ("suspended_non_payment", "Mikrotik-Rate-Limit", ":=", WALLED_GARDEN_RATE),
]
GROUP_CHECKS = [("suspended_fraud", "Auth-Type", ":=", "Reject")]


async def operator_setup(connection: asyncpg.Connection) -> None:
    for table, rows in (("radgroupreply", GROUP_REPLIES), ("radgroupcheck", GROUP_CHECKS)):
        for group, attribute, op, value in rows:
            await connection.execute(
                f"INSERT INTO {table} (groupname, attribute, op, value) VALUES ($1, $2, $3, $4)",
                group,
                attribute,
                op,
                value,
            )


@pytest.fixture(scope="session")
def radius_database() -> Iterator[str]:
    with postgres_database() as name:
        yield name


@pytest.fixture(scope="session")
def radiusd(radius_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radiusd]:
    with running(tmp_path_factory.mktemp("raddb"), radius_database, RADIUS_SECRET) as server:
        yield server


@pytest.fixture(scope="session")
def maria_database() -> Iterator[str]:
    with mariadb_database() as name:
        yield name


@pytest.fixture
def pg_url(radius_database: str) -> str:
    return f"postgresql://postgres@127.0.0.1:5432/{radius_database}"


@pytest.fixture
async def pg(pg_url: str) -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(pg_url)
    if not await connection.fetchval("SELECT count(*) FROM radgroupreply WHERE groupname = $1", PLAN):
        await operator_setup(connection)
    yield connection
    await connection.close()


@pytest.fixture
async def live_nas() -> AsyncIterator[NasEmulator]:
    nas = await start_nas(LIVE_NAS, NAS_SECRET)
    yield nas
    assert nas.transport is not None
    nas.transport.close()


@pytest.fixture
async def dead_nas() -> AsyncIterator[NasEmulator]:
    nas = await start_nas(DEAD_NAS, NAS_SECRET, answer=False)
    yield nas
    assert nas.transport is not None
    nas.transport.close()


@dataclass
class Calls:
    """A CallObserver that keeps what it is told."""

    finished: list[tuple[str, str, str]] = field(default_factory=list)

    def call_finished(self, backend: str, operation: str, seconds: float, outcome: str) -> None:
        self.finished.append((backend, operation, outcome))

    def breaker_changed(self, backend: str, state: str) -> None:
        return None


def config_for(url: str, live: NasEmulator, dead: NasEmulator, **overrides: Any) -> FreeradiusConfig:
    fields: dict[str, Any] = {
        "database_url": url,
        "nas_secrets": {LIVE_NAS: NAS_SECRET, DEAD_NAS: NAS_SECRET},
        "nas_ports": {LIVE_NAS: live.port, DEAD_NAS: dead.port},
        "coa_timeout_s": 0.5,
        "coa_retries": 2,
        **overrides,
    }
    return FreeradiusConfig(**fields)


@pytest.fixture
def calls() -> Calls:
    return Calls()


@pytest.fixture
async def pg_aaa(
    pg_url: str, pg: asyncpg.Connection, live_nas: NasEmulator, dead_nas: NasEmulator, calls: Calls
) -> AsyncIterator[FreeradiusAaa]:
    config = config_for(pg_url, live_nas, dead_nas)
    db = PostgresDatabase(pg_url, pool_size=4, connect_timeout_s=2.0, command_timeout_s=4.0)
    aaa = FreeradiusAaa(config, db, Guard("aaa", Policy(deadline_s=5.0), observer=calls), observer=calls)
    await aaa.ensure_tables()
    yield aaa
    await aaa.close()


@pytest.fixture
async def maria_aaa(
    maria_database: str, live_nas: NasEmulator, dead_nas: NasEmulator, calls: Calls
) -> AsyncIterator[FreeradiusAaa]:
    url = f"mysql://root@127.0.0.1:3306/{maria_database}"
    config = config_for(url, live_nas, dead_nas, rate_attributes="wispr")
    db = MysqlDatabase(url, pool_size=4, connect_timeout_s=2.0, zone=ZoneInfo("UTC"))
    aaa = FreeradiusAaa(config, db, Guard("aaa", Policy(deadline_s=5.0), observer=calls), observer=calls)
    await aaa.ensure_tables()
    yield aaa
    await aaa.close()


def unique(prefix: str = "SS") -> str:
    return f"{prefix}-{secrets.token_hex(3)}"
