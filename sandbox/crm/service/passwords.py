"""Portal passwords: scrypt hashes stored as `scrypt$n$r$p$salt_b64$hash_b64`.

n=2**14 keeps one hash around 40 ms, so seeding the demo users stays well under a second while an offline
guess still costs real work. Verification is constant-time, and an unknown e-mail is checked against a
dummy hash so that it costs the same as a wrong password (no user enumeration by timing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
# scrypt needs 128·n·r bytes; leave headroom over OpenSSL's 32 MiB default for stored hashes with larger n.
MAX_MEM = 64 * 1024 * 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, salt: bytes | None = None) -> str:
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, dklen=KEY_BYTES, maxmem=MAX_MEM)
    return f"scrypt${N}${R}${P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False (never an exception) for a malformed stored hash."""
    try:
        scheme, n, r, p, salt_b64, key_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(key_b64, validate=True)
        key = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected), maxmem=MAX_MEM
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key, expected)


def dummy_hash() -> str:
    """A well-formed hash that no password matches: verifying against it costs one full scrypt, like a
    real user's, so an unknown e-mail answers in the time a wrong password does."""
    return f"scrypt${N}${R}${P}${_b64(bytes(SALT_BYTES))}${_b64(bytes(KEY_BYTES))}"
