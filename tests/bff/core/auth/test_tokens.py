"""Access-token edge cases: every way a token can be wrong is refused, and expiry is told apart."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from bff.core.auth.tokens import TokenExpired, TokenInvalid, TokenService
from bff.core.auth.viewer import Viewer
from bff.core.settings import SettingsError, load_settings

SECRET = "s" * 64
OTHER = "o" * 40


def service(
    secret: str = SECRET, issuer: str = "wispgate-portal", audience: str = "wispgate-portal"
) -> TokenService:
    return TokenService(secret, issuer=issuer, audience=audience, ttl=timedelta(minutes=10))


def viewer(user_id: str = "USR-1", session_id: str = "session-1", **changes: object) -> Viewer:
    fields: dict[str, object] = {
        "user_id": user_id,
        "email": "ana@lima.example",
        "name": "Ana Lima",
        "role": "OWNER",
        "subscriber_id": "SUB-1001",
        "site_subservice_ids": frozenset(),
        "session_id": session_id,
        "session_version": 1,
        **changes,
    }
    return Viewer(**fields)  # type: ignore[arg-type]


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
        "ver": 1,
        "sbs": "SUB-1001",
        "role": "OWNER",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_round_trip() -> None:
    token = service().issue(viewer())
    decoded = service().decode(token.token)
    assert (decoded.user_id, decoded.session_id, decoded.jti) == ("USR-1", "session-1", token.jti)
    assert decoded.viewer == viewer()
    assert decoded.expires_at == token.expires_at
    assert timedelta(minutes=9) < token.expires_at - datetime.now(UTC) <= timedelta(minutes=10)
    assert jwt.get_unverified_header(token.token)["alg"] == "HS256"


def test_expired() -> None:
    old = service().issue(viewer("USR-1", "s"), now=datetime.now(UTC) - timedelta(minutes=11))
    with pytest.raises(TokenExpired):
        service().decode(old.token)


def test_wrong_audience_and_issuer() -> None:
    token = service().issue(viewer("USR-1", "s")).token
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


def test_the_token_carries_what_authorization_needs() -> None:
    site = viewer(role="SITE", site_subservice_ids=frozenset({"SS-2001-2", "SS-2001-1"}), session_version=7)
    decoded = service().decode(service().issue(site).token).viewer
    assert (decoded.role, decoded.subscriber_id, decoded.session_version) == ("SITE", "SUB-1001", 7)
    assert decoded.site_subservice_ids == {"SS-2001-1", "SS-2001-2"}
    # Other roles carry no site list: their scope is the whole subscriber.
    owner = service().decode(service().issue(viewer(site_subservice_ids=frozenset({"X"}))).token).viewer
    assert owner.site_subservice_ids == frozenset()


@pytest.mark.parametrize(
    "bad",
    [
        {"role": "ROOT"},
        {"ver": "1"},
        {"ver": True},
        {"sites": "SS-1"},
        {"sites": [1]},
        {"sites": ["x"] * 501},
    ],
)
def test_malformed_identity_claims_are_refused(bad: dict[str, object]) -> None:
    token = jwt.encode(claims(**bad), SECRET, algorithm="HS256")
    with pytest.raises(TokenInvalid):
        service().decode(token)


@pytest.mark.parametrize("missing", ["exp", "iat", "sub", "sid", "aud", "iss", "jti", "ver", "sbs", "role"])
def test_missing_claim_is_refused(missing: str) -> None:
    token = jwt.encode(claims(**{missing: None}), SECRET, algorithm="HS256")
    with pytest.raises(TokenInvalid):
        service().decode(token)


def test_tampered_signature_and_payload() -> None:
    token = service().issue(viewer("USR-1", "s")).token
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
