"""One small interface over the two SQL servers FreeRADIUS runs on: asyncpg for PostgreSQL, aiomysql for
MariaDB / MySQL. Queries are written once with `?` placeholders; every driver error leaves as an
`adapters.errors` exception (`Duplicate` aside, which the adapter handles itself)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator, Sequence
from datetime import tzinfo
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from adapters.errors import TimedOut, Unavailable

BACKEND = "aaa"
Row = tuple[Any, ...]


class Duplicate(Exception):
    """An INSERT hit a unique key (a concurrent writer got there first)."""


class Session(Protocol):
    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    async def execute(self, sql: str, *args: Any) -> None: ...


class Database(Protocol):
    dialect: str  # "postgresql" | "mysql"

    async def fetch(self, sql: str, *args: Any) -> list[Row]: ...

    def transaction(self) -> contextlib.AbstractAsyncContextManager[Session]: ...

    async def close(self) -> None: ...


def _failure(exc: BaseException) -> Unavailable:
    # The driver's text can hold the DSN's host but never a password; keep only its class and first line.
    first = str(exc).splitlines()[0][:200] if str(exc) else ""
    if isinstance(exc, TimeoutError):
        return TimedOut(BACKEND, f"database did not answer in time ({type(exc).__name__})")
    return Unavailable(BACKEND, f"database error: {type(exc).__name__}: {first}")


def _numbered(sql: str) -> str:
    count = 0

    def number(_: re.Match[str]) -> str:
        nonlocal count
        count += 1
        return f"${count}"

    return re.sub(r"\?", number, sql)


def in_list(values: Sequence[object]) -> str:
    """`IN (?, ?, …)` placeholders for `values` (callers never pass an empty list)."""
    return ", ".join("?" for _ in values)


# ------------------------------------------------------------------------------------------- PostgreSQL


class _PgSession:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        return [tuple(r) for r in await self.connection.fetch(_numbered(sql), *args)]

    async def execute(self, sql: str, *args: Any) -> None:
        await self.connection.execute(_numbered(sql), *args)


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int, connect_timeout_s: float, command_timeout_s: float) -> None:
        self.url = url
        self.pool_size = pool_size
        self.connect_timeout_s = connect_timeout_s
        self.command_timeout_s = command_timeout_s
        self._pool: Any = None

    async def _get_pool(self) -> Any:
        import asyncpg

        if self._pool is None:
            # min_size=0: the BFF starts while the database is down; connections open on first use.
            self._pool = await asyncpg.create_pool(
                self.url,
                min_size=0,
                max_size=self.pool_size,
                timeout=self.connect_timeout_s,
                command_timeout=self.command_timeout_s,
            )
        return self._pool

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        import asyncpg

        try:
            pool = await self._get_pool()
            async with pool.acquire(timeout=self.connect_timeout_s) as connection:
                yield connection
        except asyncpg.UniqueViolationError as exc:
            raise Duplicate(str(exc)) from None
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            raise _failure(exc) from None

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._connection() as connection:
            return await _PgSession(connection).fetch(sql, *args)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._connection() as connection, connection.transaction():
            yield _PgSession(connection)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()


# ---------------------------------------------------------------------------------------------- MariaDB


class _MySession:
    def __init__(self, connection: Any) -> None:
        self.connection = connection

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self.connection.cursor() as cursor:
            await cursor.execute(sql.replace("?", "%s"), args)
            return [tuple(r) for r in await cursor.fetchall()]

    async def execute(self, sql: str, *args: Any) -> None:
        async with self.connection.cursor() as cursor:
            await cursor.execute(sql.replace("?", "%s"), args)


class MysqlDatabase:
    dialect = "mysql"

    def __init__(self, url: str, pool_size: int, connect_timeout_s: float, zone: tzinfo) -> None:
        parts = urlsplit(url)
        self.params = {
            "host": parts.hostname or "127.0.0.1",
            "port": parts.port or 3306,
            "user": unquote(parts.username or "root"),
            "password": unquote(parts.password or ""),
            "db": parts.path.lstrip("/"),
        }
        self.pool_size = pool_size
        self.connect_timeout_s = connect_timeout_s
        self.zone = zone
        self._pool: Any = None

    async def _get_pool(self) -> Any:
        import aiomysql

        if self._pool is None:
            self._pool = await aiomysql.create_pool(
                minsize=0,
                maxsize=self.pool_size,
                connect_timeout=self.connect_timeout_s,
                autocommit=True,
                charset="utf8mb4",
                **self.params,
            )
        return self._pool

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[Any]:
        import pymysql

        try:
            pool = await self._get_pool()
            async with pool.acquire() as connection:
                yield connection
        except pymysql.err.IntegrityError as exc:
            if exc.args and exc.args[0] == 1062:  # ER_DUP_ENTRY
                raise Duplicate(str(exc)) from None
            raise _failure(exc) from None
        except (pymysql.err.MySQLError, OSError, TimeoutError) as exc:
            raise _failure(exc) from None

    async def fetch(self, sql: str, *args: Any) -> list[Row]:
        async with self._connection() as connection:
            return await _MySession(connection).fetch(sql, *args)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        async with self._connection() as connection:
            await connection.begin()
            try:
                yield _MySession(connection)
            except BaseException:
                await connection.rollback()
                raise
            await connection.commit()

    async def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            await self._pool.wait_closed()


def open_database(url: str, pool_size: int, connect_timeout_s: float, zone: tzinfo) -> Database:
    scheme = urlsplit(url).scheme.split("+")[0]
    if scheme in ("postgres", "postgresql"):
        return PostgresDatabase(url, pool_size, connect_timeout_s, command_timeout_s=connect_timeout_s * 2)
    if scheme in ("mysql", "mariadb"):
        return MysqlDatabase(url, pool_size, connect_timeout_s, zone)
    raise ValueError(f"FREERADIUS_DATABASE_URL must start with postgresql:// or mysql://, not {scheme}://")
