"""The rules a Wi-Fi change must follow before it is sent to a router (IEEE 802.11 and the WPA2/WPA3
personal modes), checked in the portal so that the subscriber hears at once, in words, what a router would
only fault. The router checks again; these are the same rules.

- SSID: 1 to 32 bytes once UTF-8 encoded (802.11 counts octets), no control characters.
- WPA2 personal: a passphrase of 8 to 63 printable ASCII characters, or a raw pre-shared key of exactly 64
  hexadecimal digits.
- WPA3 personal (SAE) and WPA2/WPA3 transition: 8 to 63 printable ASCII characters. SAE derives its key
  from the password itself, so a raw 64-hex-digit key is not a WPA3 password.
- Open networks take no password. Moving to a protected mode (or to WPA3 from WPA2) needs a new password,
  since the router holds none for that mode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_SSID_BYTES = 32
MIN_PASSPHRASE, MAX_PASSPHRASE = 8, 63
_PRINTABLE = re.compile(r"[\x20-\x7e]+")
_HEX64 = re.compile(r"[0-9A-Fa-f]{64}")


@dataclass(frozen=True)
class WifiProblem:
    code: (
        str  # SSID_INVALID | PASSWORD_INVALID | PASSWORD_REQUIRED | PASSWORD_NOT_ALLOWED | NOTHING_TO_CHANGE
    )
    field: str
    message: str


def ssid_problem(ssid: str) -> WifiProblem | None:
    size = len(ssid.encode())
    if not 1 <= size <= MAX_SSID_BYTES or any(ord(c) < 0x20 or ord(c) == 0x7F for c in ssid):
        return WifiProblem(
            "SSID_INVALID",
            "ssid",
            f"The network name must be 1 to {MAX_SSID_BYTES} bytes (letters outside ASCII count as 2 to 4) "
            "without control characters.",
        )
    return None


def password_problem(password: str, security: str) -> WifiProblem | None:
    if security == "OPEN":
        return WifiProblem("PASSWORD_NOT_ALLOWED", "password", "An open network has no password.")
    passphrase = MIN_PASSPHRASE <= len(password) <= MAX_PASSPHRASE and _PRINTABLE.fullmatch(password)
    if security == "WPA2_PERSONAL" and (passphrase or _HEX64.fullmatch(password)):
        return None
    if security != "WPA2_PERSONAL" and passphrase:
        return None
    also = " or a key of exactly 64 hexadecimal digits" if security == "WPA2_PERSONAL" else ""
    return WifiProblem(
        "PASSWORD_INVALID",
        "password",
        f"The password must be {MIN_PASSPHRASE} to {MAX_PASSPHRASE} printable ASCII characters (letters, digits, "
        f"spaces and symbols, no accents){also}.",
    )


def change_problem(
    current: str, ssid: str | None, password: str | None, security: str | None
) -> WifiProblem | None:
    """The first problem with a change to a network protected by `current` (a WifiSecurity name)."""
    if ssid is None and password is None and security is None:
        return WifiProblem("NOTHING_TO_CHANGE", "", "Give a new name, password or protection.")
    if ssid is not None and (problem := ssid_problem(ssid)) is not None:
        return problem
    target = security or current
    if password is not None:
        return password_problem(password, target)
    needs_new = target != "OPEN" and (current == "OPEN" or ("WPA3" in target and "WPA3" not in current))
    if needs_new:
        return WifiProblem("PASSWORD_REQUIRED", "password", "This protection needs a new password.")
    return None
