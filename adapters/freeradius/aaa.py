"""`FreeradiusAaa`: the AAA port over FreeRADIUS's SQL schema (docs/adapters.md, "FreeRADIUS (AAA)").

- Status: the user's groups (`radusergroup`): a configured status group means SUSPENDED or RESTRICTED for
  its reason; none means ACTIVE. `since` and `note` come from our audit table, which records every change
  the portal makes and every change it observes (an operator moving a user between groups elsewhere).
- Profile: the plan is the first non-status group; the speeds come from the rate attributes of the user's
  `radreply`, else the plan group's `radgroupreply`, and while restricted from the restriction group's.
- Session: the newest `radacct` row without a stop time.
- Changes: group membership (and the user's rate reply for `set_profile`) in one transaction, then a CoA- or
  Disconnect-Request to the NAS of the open session (`adapters.freeradius.nas`).

Every database call runs under the AAA backend's `Guard` (deadline, breaker, bulkhead, retries of reads
and keyed writes); the NAS step runs after the commit, bounded by its own timeout and retransmissions.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import msgspec

from adapters.errors import BackendError, NotFound, Rejected
from adapters.freeradius import keys, store
from adapters.freeradius.config import DownStatus, FreeradiusConfig
from adapters.freeradius.nas import Nas
from adapters.freeradius.rates import ATTRIBUTES, reply_values
from adapters.freeradius.sql import BACKEND, Database, Duplicate, in_list
from adapters.freeradius.state import RESTRICTED_PROFILE, down_status, plan_group, speeds
from adapters.freeradius.store import Reader, Writer
from adapters.freeradius.tables import NAMES, ddl, existing
from adapters.observe import CallObserver, NoObserver
from adapters.ports.aaa import (
    STATUS_REASONS,
    BandwidthProfile,
    ChangeActor,
    LiveChange,
    LiveSession,
    ProfileChange,
    ReactivationResult,
    ServiceStatus,
    ServiceStatusName,
    StatusChange,
    StatusReason,
)
from adapters.ports.window import Covered, SubscriberWindow
from adapters.resilience.guard import Guard

log = logging.getLogger("wispgate.aaa.freeradius")
T = TypeVar("T")
R = TypeVar("R", ReactivationResult, ProfileChange)
MAX_IDS = 1000
MAX_NOTE = 500
MAX_PLAN = 64  # radusergroup.groupname is varchar(64) in the MySQL schema
# After the commit: what to send to the session (None: nothing), run outside the database transaction.
FollowUp = Callable[[], Awaitable[LiveChange]] | None


def _invalid(message: str) -> Rejected:
    return Rejected(BACKEND, "INVALID_INPUT", message, 422)


def _note(note: str | None) -> str | None:
    if note is not None and len(note) > MAX_NOTE:
        raise _invalid(f"`note` must be at most {MAX_NOTE} characters")
    return (note or "").strip() or None


def _ids(subservice_ids: Sequence[str]) -> list[str]:
    ids = list(dict.fromkeys(subservice_ids))
    if len(ids) > MAX_IDS:
        raise _invalid(f"at most {MAX_IDS} sub-services per call")
    return ids


class FreeradiusAaa:
    def __init__(
        self,
        config: FreeradiusConfig,
        db: Database,
        guard: Guard,
        *,
        observer: CallObserver | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.db = db
        self.guard = guard
        self.clock = clock
        self.zone = ZoneInfo(config.database_timezone)
        self.nas = Nas(config, observer or NoObserver())
        self._tables_ready = False
        self._tables_lock = asyncio.Lock()

    async def close(self) -> None:
        await self.db.close()

    async def reachable(self) -> str:
        """Is the database there and does it hold FreeRADIUS's schema? "" when so, else what is wrong (for
        /healthz/backends; not guarded, so that a probe neither waits for nor moves the breaker)."""
        try:
            await self.db.fetch("SELECT 1 FROM radusergroup WHERE 1 = 0")
        except BackendError as exc:
            return exc.message
        return ""

    # --- plumbing ----------------------------------------------------------------------------------

    async def ensure_tables(self) -> None:
        """Create our tables (`adapters.freeradius.tables`) if missing; done before the first call."""
        if self._tables_ready:
            return
        async with self._tables_lock:
            if self._ready():  # created while this call waited for the lock
                return
            if (await self.db.fetch(existing(self.db.dialect)))[0][0] == len(NAMES):
                self._tables_ready = True
                return
            try:
                async with self.db.transaction() as tx:
                    for statement in ddl(self.db.dialect):
                        await tx.execute(statement)
            except Duplicate:
                pass  # another process created them at the same moment
            self._tables_ready = True

    def _ready(self) -> bool:
        return self._tables_ready

    async def _read(self, operation: str, work: Callable[[], Awaitable[T]]) -> T:
        async def attempt() -> T:
            await self.ensure_tables()
            return await work()

        return await self.guard.run(operation, attempt, retryable=True)

    def _names(self, ids: Sequence[str]) -> dict[str, str]:
        return {self.config.username(i): i for i in ids}

    def _status_groups(self) -> list[str]:
        return list(self.config.status_groups)

    # --- reads -------------------------------------------------------------------------------------

    async def _statuses(
        self, db: Reader, ids: Sequence[str]
    ) -> tuple[dict[str, ServiceStatus], list[StatusChange]]:
        """The statuses, and the changes made outside the portal that our audit table has not seen yet."""
        names = self._names(ids)
        known = await store.accounts(db, list(names))
        owners = await store.subscribers(db, ids)
        latest = await store.latest_changes(db, [names[n] for n in known])
        now = self.clock()
        found: dict[str, ServiceStatus] = {}
        observed: list[StatusChange] = []
        for name, groups in known.items():
            sid = names[name]
            down = down_status(self.config, groups)
            status: ServiceStatusName = "ACTIVE" if down is None else down[0]
            reason: StatusReason | None = None if down is None else down[1]
            last = latest.get(sid)
            if last is None or (last.to_status, last.reason) != (status, reason):
                last = StatusChange(
                    subservice_id=sid,
                    from_status=None if last is None else last.to_status,
                    to_status=status,
                    reason=reason,
                    actor="SYSTEM" if last is None else "OPERATOR",
                    at=now,
                )
                observed.append(last)
            found[sid] = ServiceStatus(
                subservice_id=sid,
                subscriber_id=owners.get(sid, ""),
                status=status,
                reason=reason,
                since=last.at,
                note=last.note,
            )
        return found, observed

    async def _observe(self, changes: list[StatusChange]) -> None:
        """Record what a read found changed. Under the users' row locks (as the portal's own changes take
        them) and checked again, so two reads that saw the same change at once record it once."""
        if not changes:
            return
        ids = [c.subservice_id for c in changes]
        async with self.db.transaction() as tx:
            await store.accounts(tx, [self.config.username(i) for i in ids], lock=True)
            latest = await store.latest_changes(tx, ids)
            fresh = [
                c
                for c in changes
                if (last := latest.get(c.subservice_id)) is None
                or (last.to_status, last.reason) != (c.to_status, c.reason)
            ]
            await store.add_changes(tx, fresh, self.db.dialect)

    async def _read_statuses(self, ids: Sequence[str]) -> dict[str, ServiceStatus]:
        found, observed = await self._statuses(self.db, ids)
        await self._observe(observed)
        return found

    async def _profiles(self, db: Reader, ids: Sequence[str]) -> dict[str, BandwidthProfile]:
        names = self._names(ids)
        known = await store.accounts(db, list(names))
        own = await store.user_replies(db, list(known))
        groups = sorted({g for gs in known.values() for g in gs})
        group_reply = await store.group_replies(db, groups)
        found: dict[str, BandwidthProfile] = {}
        for name, user_groups in known.items():
            down = down_status(self.config, user_groups)
            restricted = down is not None and down[0] == "RESTRICTED"
            limiting = self._group_of(user_groups, down) if restricted else None
            (down_mbps, up_mbps), _ = speeds(
                self.config, user_groups, own.get(name, ()), group_reply, restricted_group=limiting
            )
            plan = plan_group(self.config, user_groups) or ""
            found[names[name]] = BandwidthProfile(
                subservice_id=names[name],
                name=RESTRICTED_PROFILE if restricted else plan,
                plan=plan,
                down_mbps=down_mbps,
                up_mbps=up_mbps,
                restricted=restricted,
            )
        return found

    async def _sessions(self, db: Reader, ids: Sequence[str]) -> dict[str, LiveSession]:
        names = self._names(ids)
        known = await store.accounts(db, list(names))
        live = await store.open_sessions(db, list(known), self.zone, heard_since=self._heard_since())
        found: dict[str, LiveSession] = {}
        for name in known:
            session = live.get(name)
            found[names[name]] = (
                LiveSession(subservice_id=names[name], online=False, bytes_in=0, bytes_out=0)
                if session is None
                else LiveSession(
                    subservice_id=names[name],
                    online=True,
                    ip=session.framed_ip,
                    nas=session.nas_ip,
                    started_at=session.started_at,
                    bytes_in=session.bytes_in,
                    bytes_out=session.bytes_out,
                )
            )
        return found

    def _heard_since(self) -> datetime | None:
        stale = self.config.session_stale_s
        return None if stale <= 0 else self.clock() - timedelta(seconds=stale)

    def _group_of(self, groups: Sequence[str], down: DownStatus | None) -> str | None:
        return next((g for g in groups if self.config.status_groups.get(g) == down), None)

    async def statuses(self, subservice_ids: Sequence[str]) -> dict[str, ServiceStatus]:
        ids = _ids(subservice_ids)
        return await self._read("statuses", lambda: self._read_statuses(ids)) if ids else {}

    async def status(self, subservice_id: str) -> ServiceStatus:
        found = await self.statuses([subservice_id])
        if subservice_id not in found:
            raise NotFound(BACKEND, "sub-service")
        return found[subservice_id]

    async def status_history(self, subservice_id: str, limit: int = 50) -> list[StatusChange]:
        if isinstance(limit, bool) or not 1 <= limit <= 500:
            raise _invalid("`limit` must be from 1 to 500")
        await self.status(subservice_id)  # NotFound, and records a change made outside the portal
        return await self._read("status_history", lambda: store.history(self.db, subservice_id, limit))

    async def profiles(self, subservice_ids: Sequence[str]) -> dict[str, BandwidthProfile]:
        ids = _ids(subservice_ids)
        return await self._read("profiles", lambda: self._profiles(self.db, ids)) if ids else {}

    async def sessions(self, subservice_ids: Sequence[str]) -> dict[str, LiveSession]:
        ids = _ids(subservice_ids)
        return await self._read("sessions", lambda: self._sessions(self.db, ids)) if ids else {}

    async def _window(
        self, operation: str, window: SubscriberWindow, read: Callable[[list[str]], Awaitable[dict[str, T]]]
    ) -> Covered[T]:
        """The window's ids from our subscriber table, in the CRM's order, then the batch read by id."""

        async def work() -> Covered[T]:
            every = await store.subservices_of(self.db, window.subscriber_id)
            stop = None if window.limit is None else window.offset + window.limit
            ids = every[window.offset : stop]
            return Covered(frozenset(ids), await read(ids) if ids else {})

        return await self._read(operation, work)

    async def statuses_of(self, window: SubscriberWindow) -> Covered[ServiceStatus]:
        return await self._window("statuses_of", window, self._read_statuses)

    async def profiles_of(self, window: SubscriberWindow) -> Covered[BandwidthProfile]:
        return await self._window("profiles_of", window, lambda ids: self._profiles(self.db, ids))

    async def sessions_of(self, window: SubscriberWindow) -> Covered[LiveSession]:
        return await self._window("sessions_of", window, lambda ids: self._sessions(self.db, ids))

    # --- changes -----------------------------------------------------------------------------------

    async def _write(
        self,
        operation: str,
        idempotency_key: str | None,
        request: Any,
        into: type[R],
        change: Callable[[Writer], Awaitable[tuple[R, FollowUp]]],
    ) -> R:
        key = None if idempotency_key is None else keys.key_of(operation, idempotency_key)
        request_hash = keys.fingerprint(request)

        async def attempt() -> tuple[R, FollowUp]:
            await self.ensure_tables()
            if key is not None:
                earlier = await keys.stored(self.db, key, request_hash, into)
                if earlier is not None:
                    return earlier, None
            try:
                async with self.db.transaction() as tx:
                    result, follow_up = await change(tx)
                    if key is not None:
                        await keys.store(tx, key, request_hash, result, self.clock(), self.db.dialect)
            except Duplicate:
                # The same key, committed by a concurrent call between our look-up and our insert.
                if key is not None and (earlier := await keys.stored(self.db, key, request_hash, into)):
                    return earlier, None
                raise
            return result, follow_up

        result, follow_up = await self.guard.run(operation, attempt, retryable=key is not None)
        if follow_up is None:
            return result
        result = msgspec.structs.replace(result, live=await follow_up())
        if key is not None:
            try:
                await self.guard.run(
                    f"{operation} answer", lambda: self._restore(key, result), retryable=True
                )
            except BackendError as exc:  # the change and its first answer are stored; only `live` is lost
                log.warning(
                    "%s: could not store the NAS outcome with its idempotency key: %s", operation, exc
                )
        return result

    async def _restore(self, key: str, result: Any) -> None:
        async with self.db.transaction() as tx:
            await keys.restore(tx, key, result)

    async def _locked(self, tx: Writer, subservice_id: str) -> tuple[str, tuple[str, ...]]:
        name = self.config.username(subservice_id)
        known = await store.accounts(tx, [name], lock=True)
        if name not in known:
            raise NotFound(BACKEND, "sub-service")
        return name, known[name]

    async def _plan_rate(self, tx: Reader, name: str, groups: Sequence[str]) -> list[tuple[str, str]] | None:
        own = await store.user_replies(tx, [name])
        group_reply = await store.group_replies(tx, list(groups))
        _, (down, up) = speeds(self.config, groups, own.get(name, ()), group_reply, restricted_group=None)
        return None if down is None or up is None else reply_values(self.config.rate_attributes, down, up)

    def _send(self, name: str, rate: list[tuple[str, str]] | None) -> FollowUp:
        async def follow_up() -> LiveChange:
            try:
                sessions = await self._read(
                    "open sessions",
                    lambda: store.open_sessions(self.db, [name], self.zone, heard_since=self._heard_since()),
                )
            except BackendError as exc:
                log.error("%s: the change is stored, but the open session could not be read: %s", name, exc)
                return "UNREACHABLE"
            return await self.nas.apply(list(sessions.values()), rate)

        return follow_up

    async def _move(
        self,
        tx: Writer,
        subservice_id: str,
        name: str,
        before: ServiceStatus,
        to: DownStatus | None,
        note: str | None,
        actor: ChangeActor,
    ) -> ServiceStatus:
        """Out of every status group, into `to`'s (if any), with the audit entry."""
        groups = self._status_groups()
        await tx.execute(
            f"DELETE FROM radusergroup WHERE username = ? AND groupname IN ({in_list(groups)})", name, *groups
        )
        if to is not None:
            await tx.execute(
                "INSERT INTO radusergroup (username, groupname, priority) VALUES (?, ?, ?)",
                name,
                self.config.group_for(*to),
                self.config.status_priority,
            )
        status: ServiceStatusName = "ACTIVE" if to is None else to[0]
        reason: StatusReason | None = None if to is None else to[1]
        now = self.clock()
        await store.add_changes(
            tx,
            [
                StatusChange(
                    subservice_id=subservice_id,
                    from_status=before.status,
                    to_status=status,
                    reason=reason,
                    note=note,
                    actor=actor,
                    at=now,
                )
            ],
            self.db.dialect,
        )
        return msgspec.structs.replace(before, status=status, reason=reason, since=now, note=note)

    async def _current(self, tx: Writer, subservice_id: str) -> ServiceStatus:
        found, observed = await self._statuses(tx, [subservice_id])
        if observed:  # a change made outside the portal comes first in the history
            await store.add_changes(tx, observed, self.db.dialect)
        return found[subservice_id]

    async def reactivate(
        self, subservice_id: str, reason: str, note: str | None = None, *, idempotency_key: str | None = None
    ) -> ReactivationResult:
        if reason not in STATUS_REASONS:
            raise _invalid(f"`reason` must be one of {', '.join(STATUS_REASONS)}")
        note = _note(note)

        async def change(tx: Writer) -> tuple[ReactivationResult, FollowUp]:
            name, groups = await self._locked(tx, subservice_id)
            before = await self._current(tx, subservice_id)
            if before.status == "ACTIVE":
                return ReactivationResult(status=before, changed=False), None
            if before.reason != reason:
                raise Rejected(
                    BACKEND,
                    "REASON_MISMATCH",
                    f"sub-service is {before.status} for {before.reason}, not {reason}; it stays so",
                    409,
                )
            after = await self._move(tx, subservice_id, name, before, None, note, "SERVICE")
            # Lifted restriction: the plan's rate by CoA. Lifted suspension (or no rate to give): the
            # session, if any (a walled garden), is disconnected so that the CPE logs in with its plan.
            rate = await self._plan_rate(tx, name, groups) if before.status == "RESTRICTED" else None
            return ReactivationResult(status=after, changed=True), self._send(name, rate)

        return await self._write(
            "reactivate",
            idempotency_key,
            ("reactivate", subservice_id, reason, note),
            ReactivationResult,
            change,
        )

    async def set_down(
        self,
        subservice_id: str,
        status: ServiceStatusName,
        reason: StatusReason,
        note: str | None = None,
        *,
        actor: ChangeActor = "OPERATOR",
    ) -> ReactivationResult:
        """Suspend or restrict (not part of the port: the operator's tools and the tests use it). The same
        status and reason again changes nothing."""
        if status == "ACTIVE" or reason not in STATUS_REASONS:
            raise _invalid("status must be SUSPENDED or RESTRICTED, with a known reason")
        group = self.config.group_for(status, reason)
        if group is None:
            raise Rejected(BACKEND, "NO_STATUS_GROUP", f"no group is configured for {status} {reason}", 422)
        note = _note(note)

        async def change(tx: Writer) -> tuple[ReactivationResult, FollowUp]:
            name, _ = await self._locked(tx, subservice_id)
            before = await self._current(tx, subservice_id)
            if (before.status, before.reason) == (status, reason):
                return ReactivationResult(status=before, changed=False), None
            after = await self._move(tx, subservice_id, name, before, (status, reason), note, actor)
            rate = None
            if status == "RESTRICTED":  # the restriction group's rate by CoA; without one, a Disconnect
                limited = await store.group_replies(tx, [group])
                (down, up), _ = speeds(self.config, [], (), limited, restricted_group=group)
                if down is not None and up is not None:
                    rate = reply_values(self.config.rate_attributes, down, up)
            return ReactivationResult(status=after, changed=True), self._send(name, rate)

        return await self._write(
            "set_down", None, ("set_down", subservice_id, status, reason, note), ReactivationResult, change
        )

    async def set_profile(
        self,
        subservice_id: str,
        plan: str,
        down_mbps: int | None,
        up_mbps: int | None,
        *,
        idempotency_key: str | None = None,
    ) -> ProfileChange:
        if not isinstance(plan, str) or not plan.strip() or len(plan) > MAX_PLAN:
            raise _invalid(f"`plan` must be a non-empty name of at most {MAX_PLAN} characters")
        if plan in self.config.status_groups:
            raise _invalid("`plan` must not be one of the status groups")
        if (down_mbps is None) != (up_mbps is None):
            raise _invalid("`down_mbps` and `up_mbps` are both given or both null")
        for value in (down_mbps, up_mbps):
            if value is not None and (isinstance(value, bool) or not 1 <= value <= 100_000):
                raise _invalid("speeds must be from 1 to 100000 Mbit/s")
        attributes = ATTRIBUTES[self.config.rate_attributes]

        async def change(tx: Writer) -> tuple[ProfileChange, FollowUp]:
            name, groups = await self._locked(tx, subservice_id)
            own = await store.user_replies(tx, [name])
            group_reply = await store.group_replies(tx, list(groups))
            _, planned = speeds(self.config, groups, own.get(name, ()), group_reply, restricted_group=None)
            if plan_group(self.config, groups) == plan and planned == (down_mbps, up_mbps):
                return ProfileChange(
                    profile=(await self._profiles(tx, [subservice_id]))[subservice_id], changed=False
                ), None
            status_groups = self._status_groups()
            await tx.execute(
                f"DELETE FROM radusergroup WHERE username = ? AND groupname NOT IN ({in_list(status_groups)})",
                name,
                *status_groups,
            )
            await tx.execute(
                "INSERT INTO radusergroup (username, groupname, priority) VALUES (?, ?, ?)",
                name,
                plan,
                self.config.plan_priority,
            )
            lowered = [a.lower() for a in attributes]
            await tx.execute(
                f"DELETE FROM radreply WHERE username = ? AND LOWER(attribute) IN ({in_list(lowered)})",
                name,
                *lowered,
            )
            rate = None
            if down_mbps is not None and up_mbps is not None:
                rate = reply_values(self.config.rate_attributes, down_mbps, up_mbps)
                for attribute, value in rate:
                    await tx.execute(
                        "INSERT INTO radreply (username, attribute, op, value) VALUES (?, ?, ':=', ?)",
                        name,
                        attribute,
                        value,
                    )
            profile = (await self._profiles(tx, [subservice_id]))[subservice_id]
            # Only an ACTIVE session runs at the plan's rate; a restricted or suspended one keeps its limit.
            live = rate is not None and down_status(self.config, groups) is None
            return ProfileChange(profile=profile, changed=True), self._send(name, rate) if live else None

        return await self._write(
            "set_profile",
            idempotency_key,
            ("set_profile", subservice_id, plan, down_mbps, up_mbps),
            ProfileChange,
            change,
        )
