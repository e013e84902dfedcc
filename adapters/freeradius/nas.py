"""Making a change live: a CoA-Request (new rate) or a Disconnect-Request (the CPE logs in again and gets its
new authorization) to the NAS of each open session, with bounded retransmission. The outcome is always
reported — in the port's answer (`LiveChange`), in the log and in the metrics (`aaa-nas` calls) — never
dropped: a NAS that does not answer leaves the session on its old profile until it re-authenticates."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from adapters.freeradius import radius
from adapters.freeradius.config import FreeradiusConfig
from adapters.freeradius.store import OpenSession
from adapters.observe import CallObserver
from adapters.ports.aaa import LiveChange

log = logging.getLogger("wispgate.aaa.nas")
METRIC_BACKEND = "aaa-nas"


class Nas:
    def __init__(self, config: FreeradiusConfig, observer: CallObserver) -> None:
        self.config = config
        self.observer = observer

    async def apply(
        self, sessions: Sequence[OpenSession], rate: Sequence[tuple[str, str]] | None
    ) -> LiveChange:
        """CoA with `rate` on every open session, or a Disconnect when `rate` is None. The worst outcome
        over the sessions is the answer (OFFLINE when there is none)."""
        if not sessions:
            return "OFFLINE"
        outcomes = [await self._one(s, rate) for s in sessions]
        if "UNREACHABLE" in outcomes:
            return "UNREACHABLE"
        return "REFUSED" if "REFUSED" in outcomes else "APPLIED"

    async def _one(self, session: OpenSession, rate: Sequence[tuple[str, str]] | None) -> LiveChange:
        code = radius.DISCONNECT_REQUEST if rate is None else radius.COA_REQUEST
        operation = "Disconnect-Request" if rate is None else "CoA-Request"
        secret = self.config.nas_secrets.get(session.nas_ip)
        if secret is None:
            log.error(
                "%s for %s not sent: no secret is configured for NAS %s (FREERADIUS_NAS_SECRETS)",
                operation,
                session.username,
                session.nas_ip,
            )
            self.observer.call_finished(METRIC_BACKEND, operation, 0.0, "unavailable")
            return "UNREACHABLE"
        attributes = radius.request_attributes(
            session.username, session.session_id, session.nas_ip, session.framed_ip, rate or ()
        )
        started = time.perf_counter()
        answer = await radius.send(
            session.nas_ip,
            self.config.nas_ports.get(session.nas_ip, self.config.coa_port),
            code,
            attributes,
            secret,
            timeout_s=self.config.coa_timeout_s,
            retries=self.config.coa_retries,
        )
        seconds = time.perf_counter() - started
        if answer.outcome == "ACK":
            self.observer.call_finished(METRIC_BACKEND, operation, seconds, "ok")
            log.info("%s for %s acknowledged by NAS %s", operation, session.username, session.nas_ip)
            return "APPLIED"
        if answer.outcome == "NAK":
            self.observer.call_finished(METRIC_BACKEND, operation, seconds, "rejected")
            log.warning(
                "%s for %s refused by NAS %s (Error-Cause %s): the session keeps its old profile",
                operation,
                session.username,
                session.nas_ip,
                answer.error_cause,
            )
            return "REFUSED"
        self.observer.call_finished(METRIC_BACKEND, operation, seconds, "timeout")
        log.error(
            "%s for %s: NAS %s did not answer %d attempt(s); the change is stored and applies when the "
            "session re-authenticates",
            operation,
            session.username,
            session.nas_ip,
            answer.attempts,
        )
        return "UNREACHABLE"
