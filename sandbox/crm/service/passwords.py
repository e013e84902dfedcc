"""Portal passwords: argon2id hashes (PHC strings, `$argon2id$v=19$m=…`), and the minimum policy a new
password must meet.

The parameters are OWASP's first argon2id recommendation (19 MiB, 2 passes, 1 lane): one hash costs tens of
milliseconds on this class of machine, an offline guess the same plus the memory. Hashes written by earlier
versions (`scrypt$n$r$p$salt$hash`) still verify, and `needs_rehash` tells the caller to store an argon2id
hash the next time the user proves the password (the seeded users migrate at their first sign-in).

An unknown e-mail is checked against `dummy_hash()`, so it costs what a wrong password does (no user
enumeration by timing).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)
# scrypt needs 128·n·r bytes; leave headroom over OpenSSL's 32 MiB default for stored hashes with larger n.
_SCRYPT_MAX_MEM = 64 * 1024 * 1024

MIN_LENGTH = 10
MAX_LENGTH = 1024
# The most common passwords of at least MIN_LENGTH characters in public breach corpora (shorter ones are
# refused for their length anyway), plus the portal's own words. Compared lower-cased.
COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "1111111111",
        "0000000000",
        "1234512345",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "qwertyuiop",
        "asdfghjkl;",
        "qwerty1234",
        "qwerty12345",
        "qwerty123456",
        "password12",
        "password123",
        "password1234",
        "password!!",
        "passw0rd123",
        "iloveyou12",
        "princess12",
        "football12",
        "baseball12",
        "sunshine12",
        "superman12",
        "starwars12",
        "welcome123",
        "welcome1234",
        "letmein123",
        "changeme123",
        "administrator",
        "abcdefghij",
        "abc1234567",
        "aa12345678",
        "zaq12wsxcde",
        "trustno1234",
        "monkey12345",
        "dragon12345",
        "wispgate123",
        "wispgate2026",
        "internet123",
        "wifipassword",
    }
)


class PolicyError(ValueError):
    """A new password the policy refuses; `code` says why (PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG,
    PASSWORD_IS_EMAIL, PASSWORD_TOO_COMMON)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_policy(password: str, email: str) -> None:
    """Raise `PolicyError` unless `password` is acceptable for the user with `email`."""
    if len(password) < MIN_LENGTH:
        raise PolicyError("PASSWORD_TOO_SHORT", f"The password needs at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PolicyError("PASSWORD_TOO_LONG", f"The password may have at most {MAX_LENGTH} characters.")
    folded = password.strip().lower()
    address = email.strip().lower()
    if folded in {address, address.split("@", 1)[0]}:
        raise PolicyError("PASSWORD_IS_EMAIL", "The password must not be your e-mail address.")
    if folded in COMMON or len(set(folded)) <= 2:
        raise PolicyError("PASSWORD_TOO_COMMON", "This password is too common; choose another.")


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; False (never an exception) for a malformed stored hash."""
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Is `stored` an older scheme or weaker parameters than today's (then store a new hash)?"""
    if not stored.startswith("$argon2id$"):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def dummy_hash() -> str:
    """A well-formed hash that no typed password matches: verifying against it costs one full argon2id, like
    a real user's, so an unknown e-mail answers in the time a wrong password does."""
    return HASHER.hash(base64.b64encode(hashlib.sha256(b"wispgate-no-such-user").digest()).decode())


def _verify_scrypt(password: str, stored: str) -> bool:
    """The scheme of earlier versions: `scrypt$n$r$p$salt_b64$hash_b64`."""
    try:
        _, n, r, p, salt_b64, key_b64 = stored.split("$")
        salt = base64.b64decode(salt_b64, validate=True)
        expected = base64.b64decode(key_b64, validate=True)
        key = hashlib.scrypt(
            password.encode(),
            salt=salt,
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(expected),
            maxmem=_SCRYPT_MAX_MEM,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(key, expected)
