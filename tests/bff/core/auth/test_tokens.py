"""Access-token edge cases: every way a token can be wrong is refused, and expiry is told apart."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from bff.core.auth.tokens import TokenExpired, TokenInvalid, TokenService
from bff.core.settings import SettingsError, load_settings

SECRET = "s" * 64
OTHER = "o" * 40


def service(
    secret: str = SECRET, issuer: str = "wispgate-portal", audience: str = "wispgate-portal"
) -> TokenService:
    return TokenService(secret, issuer=issuer, audience=audience, ttl=timedelta(minutes=10))


def claims(**overrides: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    base: dict[str, object] = {
        "sub": "USR-1",
        "sid": "session-1",
        "iat": now,
        "exp": now + 600,
        "iss": "wispgate-portal",
        "aud": "wispgate-portal",
        "jti": "j1",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_round_trip() -> None:
    token = service().issue("USR-1", "session-1")
    decoded = service().decode(token.token)
    assert (decoded.user_id, decoded.session_id, decoded.jti) == ("USR-1", "session-1", token.jti)
    assert decoded.expires_at == token.expires_at
    assert timedelta(minutes=9) < token.expires_at - datetime.now(UTC) <= timedelta(minutes=10)
    assert jwt.get_unverified_header(token.token)["alg"] == "HS256"


def test_expired() -> None:
    old = service().issue("USR-1", "s", now=datetime.now(UTC) - timedelta(minutes=11))
    with pytest.raises(TokenExpired):
        service().decode(old.token)


def test_wrong_audience_and_issuer() -> None:
    token = service().issue("USR-1", "s").token
    with pytest.raises(TokenInvalid):
        service(audience="someone-else").decode(token)
    with pytest.raises(TokenInvalid):
        service(issuer="someone-else").decode(token)


def test_alg_none_is_refused() -> None:
    header = base64.urlsafe_b64encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).rstrip(b"=")
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=")
    unsigned = (header + b"." + body + b".").decode()
    with pytest.raises(TokenInvalid):
        service().decode(unsigned)


def test_other_algorithm_with_the_same_secret_is_refused() -> None:
    token = jwt.encode(claims(), SECRET, algorithm="HS512")
    with pytest.raises(TokenInvalid):
        service().decode(token)


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "sid", "aud", "iss", "jti"])
def test_missing_claim_is_refused(missing: str) -> None:
    token = jwt.encode(claims(**{missing: None}), SECRET, algorithm="HS256")
    with pytest.raises(TokenInvalid):
        service().decode(token)


def test_tampered_signature_and_payload() -> None:
    token = service().issue("USR-1", "s").token
    head, body, sig = token.split(".")
    flipped = sig[:-2] + ("AA" if not sig.endswith("AA") else "BB")
    with pytest.raises(TokenInvalid):
        service().decode(f"{head}.{body}.{flipped}")
    forged_body = base64.urlsafe_b64encode(json.dumps(claims(sub="USR-20")).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenInvalid):
        service().decode(f"{head}.{forged_body}.{sig}")
    with pytest.raises(TokenInvalid):
        service().decode(jwt.encode(claims(), OTHER, algorithm="HS256"))


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "Bearer x"])
def test_garbage_is_invalid(garbage: str) -> None:
    with pytest.raises(TokenInvalid):
        service().decode(garbage)


def test_non_string_subject_is_refused() -> None:
    with pytest.raises(TokenInvalid):
        service().decode(jwt.encode(claims(sid=123), SECRET, algorithm="HS256"))


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenService("short", issuer="i", audience="a", ttl=timedelta(minutes=1))
    with pytest.raises(SettingsError, match="JWT_SECRET is too short"):
        load_settings({"JWT_SECRET": "x" * 31})
    with pytest.raises(SettingsError, match="JWT_SECRET is required in production"):
        load_settings({"WISPGATE_ENV": "production", "FILES_SIGNING_KEY": "k" * 32})
