"""Sign-in protection that holds behind proxies and cannot be turned into a lock-out.

Three counters of failed sign-ins, shared by every instance:
- **per account, across all addresses** — after `free` failures each further attempt must wait a delay that
  doubles with every failure (1 s, 2 s, 4 s, … capped at `max_delay`). A correct password is then still
  accepted, so an attacker guessing from a thousand addresses gains nothing by spreading out, and a
  victim is slowed down for at most the cap, never locked out;
- **per address, across all accounts** — `per_address` failures within the window and the address is refused
  until the window ends: one address spraying one password over many e-mails is stopped;
- **globally** — above `global_budget` failures a minute (a spray from many addresses), every attempt for an
  account or from an address that has failed recently waits for the minute to end.

The address is the one the server resolved: `X-Forwarded-For` counts only from proxies the operator trusts
(`FORWARDED_ALLOW_IPS`, docs/deployment.md), so a forged header cannot buy more guesses. Every refusal
says when to retry.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from datetime import timedelta

from bff.core.auth.ratelimit import RateLimiter

GLOBAL_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    free: int = 5  # failures per account before delays start
    max_delay_s: int = 15 * 60
    per_address: int = 30  # failures per address within `window`
    window: timedelta = timedelta(minutes=15)
    global_budget: int = 300  # failures per minute across the whole portal


def _key(kind: str, value: str) -> str:
    return f"signin:{kind}:" + hashlib.sha256(value.encode()).hexdigest()[:32]


class SignInGuard:
    def __init__(self, limiter: RateLimiter, policy: GuardPolicy) -> None:
        self.limiter = limiter
        self.policy = policy

    def _keys(self, email: str, ip: str) -> tuple[str, str, str]:
        return _key("account", email), _key("address", ip or "unknown"), "signin:global"

    def delay_after(self, failures: int) -> float:
        """How long an account must wait after its `failures`-th failure."""
        if failures < self.policy.free:
            return 0.0
        return float(min(self.policy.max_delay_s, 2 ** (failures - self.policy.free)))

    async def retry_after(self, email: str, ip: str, *, now: float | None = None) -> int | None:
        """Seconds to wait before this attempt may be checked, or None when it may go ahead."""
        account_key, address_key, global_key = self._keys(email, ip)
        account, address, spray = await self.limiter.peek([account_key, address_key, global_key])
        current = time.time() if now is None else now
        waits = []
        account_wait = account.last_at + self.delay_after(account.count) - current
        if account.count >= self.policy.free and account_wait > 0:
            waits.append(account_wait)
        if address.count >= self.policy.per_address:
            waits.append(address.resets_in_s)
        if spray.count >= self.policy.global_budget and (account.count or address.count):
            waits.append(spray.resets_in_s)
        return max(1, math.ceil(max(waits))) if waits else None

    async def failed(self, email: str, ip: str) -> None:
        account_key, address_key, global_key = self._keys(email, ip)
        await self.limiter.record(account_key, self.policy.window)
        await self.limiter.record(address_key, self.policy.window)
        await self.limiter.record(global_key, GLOBAL_WINDOW)

    async def succeeded(self, email: str) -> None:
        """The account's delays start over (the address's count stays: it may be spraying)."""
        await self.limiter.reset(_key("account", email))
