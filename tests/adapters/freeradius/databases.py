"""Fresh databases for the FreeRADIUS tests, with the schema Debian's FreeRADIUS package ships: one
PostgreSQL database per test session (127.0.0.1:5432, user postgres, trust auth) and one MariaDB database
(127.0.0.1:3306, root without a password)."""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
from collections.abc import Iterator

import aiomysql
import asyncpg
import pytest

from tests.adapters.freeradius.radiusd import SCHEMAS, require_packages

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _name() -> str:
    return f"wg_freeradius_{secrets.token_hex(4)}"


async def _pg_create(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    db = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}", timeout=10)
    try:
        await db.execute((SCHEMAS / "postgresql/schema.sql").read_text())
    finally:
        await db.close()


async def _pg_drop(name: str) -> None:
    admin = await asyncpg.connect(PG_ADMIN, timeout=10)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@contextlib.contextmanager
def postgres_database() -> Iterator[str]:
    require_packages()
    name = _name()
    try:
        asyncio.run(_pg_create(name))
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at 127.0.0.1:5432 (user postgres) is needed: {exc}", pytrace=False)
    try:
        yield name
    finally:
        asyncio.run(_pg_drop(name))


def _statements(script: str) -> list[str]:
    without_comments = re.sub(r"/\*.*?\*/", "", script, flags=re.S)
    lines = [line for line in without_comments.splitlines() if not line.strip().startswith(("#", "--"))]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


async def _my_run(statements: list[str], db: str | None = None) -> None:
    connection = await aiomysql.connect(host="127.0.0.1", port=3306, user="root", password="", db=db)
    try:
        async with connection.cursor() as cursor:
            for statement in statements:
                await cursor.execute(statement)
        await connection.commit()
    finally:
        connection.close()


@contextlib.contextmanager
def mariadb_database() -> Iterator[str]:
    require_packages()
    name = _name()
    try:
        asyncio.run(_my_run([f"CREATE DATABASE `{name}`"]))
        asyncio.run(_my_run(_statements((SCHEMAS / "mysql/schema.sql").read_text()), name))
    except OSError as exc:
        pytest.fail(f"MariaDB at 127.0.0.1:3306 (root, no password) is needed: {exc}", pytrace=False)
    try:
        yield name
    finally:
        asyncio.run(_my_run([f"DROP DATABASE IF EXISTS `{name}`"]))
