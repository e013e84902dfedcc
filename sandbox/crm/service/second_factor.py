"""The optional TOTP second factor (RFC 6238, 30-second steps, 6 digits) and its recovery codes.

Enrolment is two steps: `begin` stores a new secret as pending and answers it with its otpauth URI (the
portal draws the QR code); `confirm` needs a code from the authenticator app, turns the factor on and
answers 10 recovery codes — the only time they are ever shown: only their SHA-256 is stored (they carry 50
random bits each, so a fast hash is enough). A code is accepted once (the last accepted time step is kept),
a recovery code once. The secret itself must be readable to check codes; a production CRM would keep it
encrypted under a key of its own.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import pyotp

from sandbox.common import clock
from sandbox.common.db import Database
from sandbox.common.http import conflict, invalid
from sandbox.crm.service.directory import Directory
from sandbox.crm.service.passwords import verify_password

ISSUER = "WISPGate"
RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: codes are typed from paper


def _hash(code: str) -> str:
    return hashlib.sha256(_normal(code).encode()).hexdigest()


def _normal(code: str) -> str:
    return "".join(c for c in code.lower() if c.isalnum())


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


class SecondFactor:
    def __init__(self, db: Database, directory: Directory) -> None:
        self.db = db
        self.directory = directory

    def _user(self, user_id: str) -> Any:
        row = self.db.one("SELECT * FROM users WHERE id = ?", (user_id,))
        if row is None or row["disabled"]:
            raise invalid("no such user", "UNKNOWN_USER")
        return row

    def _factor(self, user_id: str) -> Any:
        return self.db.one("SELECT * FROM user_totp WHERE user_id = ?", (user_id,))

    def begin(self, user_id: str) -> dict[str, Any]:
        user = self._user(user_id)
        factor = self._factor(user_id)
        if factor is not None and factor["confirmed_at"] is not None:
            raise conflict("ALREADY_ENABLED", "the second factor is already on; turn it off first")
        secret = pyotp.random_base32()
        self.db.execute(
            "INSERT INTO user_totp (user_id, secret) VALUES (?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0",
            (user_id, secret),
        )
        uri = pyotp.TOTP(secret).provisioning_uri(name=user["email"], issuer_name=ISSUER)
        return {"secret": secret, "uri": uri}

    def _check_code(self, factor: Any, code: str) -> int | None:
        """The time step `code` is valid for (this one or one either side, for clock drift), unless it was
        already used; None otherwise."""
        digits = _normal(code)
        if len(digits) != 6 or not digits.isdigit():
            return None
        totp = pyotp.TOTP(factor["secret"])
        step = int(time.time()) // totp.interval
        for candidate in (step, step - 1, step + 1):
            if candidate > factor["last_step"] and secrets.compare_digest(
                totp.generate_otp(candidate), digits
            ):
                return candidate
        return None

    def confirm(self, user_id: str, code: str) -> dict[str, Any]:
        self._user(user_id)
        with self.db.transaction():
            factor = self._factor(user_id)
            if factor is None:
                raise conflict("NOT_ENROLLING", "start the enrolment first")
            if factor["confirmed_at"] is not None:
                raise conflict("ALREADY_ENABLED", "the second factor is already on")
            step = self._check_code(factor, code)
            if step is None:
                raise invalid("the code is not correct", "INVALID_CODE")
            codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
            self.db.execute(
                "UPDATE user_totp SET confirmed_at = ?, last_step = ? WHERE user_id = ?",
                (clock.iso(clock.now()), step, user_id),
            )
            self.db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
            self.db.executemany(
                "INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)",
                [(user_id, _hash(c)) for c in codes],
            )
        return {"recovery_codes": codes}

    def verify(self, user_id: str, code: str | None, recovery_code: str | None) -> dict[str, Any]:
        """Accept a code from the app or an unused recovery code (each once); INVALID_CODE otherwise."""
        self._user(user_id)
        with self.db.transaction():
            factor = self._factor(user_id)
            if factor is None or factor["confirmed_at"] is None:
                raise conflict("NOT_ENABLED", "the user has no second factor")
            method = "TOTP"
            if code:
                step = self._check_code(factor, code)
                if step is None:
                    raise invalid("the code is not correct", "INVALID_CODE")
                self.db.execute("UPDATE user_totp SET last_step = ? WHERE user_id = ?", (step, user_id))
            else:
                method = "RECOVERY_CODE"
                used = self.db.execute(
                    "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                    (clock.iso(clock.now()), user_id, _hash(recovery_code or "")),
                )
                if used.rowcount != 1:
                    raise invalid("the code is not correct", "INVALID_CODE")
            left = int(
                self.db.scalar(
                    "SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", (user_id,)
                )
            )
        return {"method": method, "recovery_codes_left": left}

    def disable(self, user_id: str, password: str | None, code: str | None) -> dict[str, Any]:
        """Turn the factor off, proven by the password or a current code; INVALID_CREDENTIALS otherwise."""
        user = self._user(user_id)
        with self.db.transaction():
            factor = self._factor(user_id)
            if factor is None or factor["confirmed_at"] is None:
                raise conflict("NOT_ENABLED", "the user has no second factor")
            proven = (password is not None and verify_password(password, user["password_hash"])) or (
                code is not None and self._check_code(factor, code) is not None
            )
            if not proven:
                raise invalid("the password or code is not correct", "INVALID_CREDENTIALS")
            self.db.execute("DELETE FROM user_totp WHERE user_id = ?", (user_id,))
            self.db.execute("DELETE FROM recovery_codes WHERE user_id = ?", (user_id,))
        return self.directory.user(user_id)
