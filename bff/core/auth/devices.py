"""What a session's user agent says about the device, in words a subscriber recognises ("Chrome on Windows",
"Mobile Safari on iPhone"), for the list of sessions and the new-sign-in alert.

Parsing uses ua-parser's maintained regexes (the `regex` extra: compiled once per process, then
sub-millisecond); results are cached, and the input is bounded by what the session store keeps (300
characters).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

UNKNOWN = "Unknown"


@dataclass(frozen=True, slots=True)
class DeviceDescription:
    browser: str  # "Chrome 126", "Mobile Safari 17"
    os: str  # "Windows 10", "iOS 17.2", "Linux"
    device: str  # "iPhone", "Desktop"

    @property
    def label(self) -> str:
        """ "Chrome 126 on Windows 10"."""
        return f"{self.browser} on {self.os}" if self.os != UNKNOWN else self.browser


@lru_cache(maxsize=2048)
def describe(user_agent: str) -> DeviceDescription:
    if not user_agent.strip():
        return DeviceDescription(UNKNOWN, UNKNOWN, UNKNOWN)
    result = parse(user_agent[:300])
    ua, os, device = result.user_agent, result.os, result.device
    browser = UNKNOWN if ua is None or ua.family == "Other" else f"{ua.family} {ua.major or ''}".strip()
    system = UNKNOWN
    if os is not None and os.family != "Other":
        version = ".".join(p for p in (os.major, os.minor) if p)
        system = f"{os.family} {version}".strip()
    kind = device.family if device is not None and device.family not in ("Other", "") else "Desktop"
    return DeviceDescription(browser, system, kind)


def device_key(user_agent: str, ip: str) -> str:
    """What makes a sign-in's device "seen before" for the new-sign-in alert: the browser family (not its
    version, which changes with every update) and the address."""
    result = parse(user_agent[:300]) if user_agent.strip() else None
    family = result.user_agent.family if result is not None and result.user_agent is not None else UNKNOWN
    return f"{family}|{ip or '?'}"[:200]
