"""Short-lived access tokens: HS256 JWTs carrying everything authorization needs — the user (`sub`), the
session (`sid`) and its identity version (`ver`), the subscriber (`sbs`), the role (`role`) and a SITE
user's sites (`sites`), with the name and e-mail the portal shows.

The algorithm is pinned on decode and every claim we rely on is required (PyJWT accepts a token without
`exp` unless told otherwise). A token is only half the check: the request also needs its session to still
be active and at the same identity version, so that logout, revocation and a change in the CRM take effect
before the token expires (`bff.core.auth.service.AuthService.viewer_for`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from bff.core.auth.viewer import MAX_SITES, ROLES, Viewer
from bff.core.settings import MIN_SECRET_BYTES

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "sid", "jti", "ver", "sbs", "role"]


class TokenError(Exception):
    """The access token cannot be used; `code` says why (for the client, never the details)."""

    code = "TOKEN_INVALID"


class TokenExpired(TokenError):
    code = "TOKEN_EXPIRED"


class TokenInvalid(TokenError):
    code = "TOKEN_INVALID"


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_at: datetime
    jti: str


@dataclass(frozen=True, slots=True)
class AccessClaims:
    viewer: Viewer  # with the session id and the identity version the token was issued for
    jti: str
    issued_at: datetime
    expires_at: datetime

    @property
    def user_id(self) -> str:
        return self.viewer.user_id

    @property
    def session_id(self) -> str:
        return self.viewer.session_id


class TokenService:
    def __init__(self, secret: str, *, issuer: str, audience: str, ttl: timedelta) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            # PyJWT only warns about short HMAC keys; a guessable key forges every token.
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def issue(self, viewer: Viewer, *, now: datetime | None = None) -> AccessToken:
        """A token for `viewer` (its session id and identity version included)."""
        issued = (now or datetime.now(UTC)).replace(microsecond=0)
        expires = issued + self.ttl
        jti = secrets.token_urlsafe(16)
        claims: dict[str, object] = {
            "sub": viewer.user_id,
            "sid": viewer.session_id,
            "ver": viewer.session_version,
            "sbs": viewer.subscriber_id,
            "role": viewer.role,
            "sites": sorted(viewer.site_subservice_ids) if viewer.is_site_user else [],
            "email": viewer.email,
            "name": viewer.name,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
            "jti": jti,
        }
        return AccessToken(jwt.encode(claims, self._secret, algorithm=ALGORITHM), expires, jti)

    def decode(self, token: str) -> AccessClaims:
        """The token's claims; raises `TokenExpired` or `TokenInvalid` (bad signature, algorithm, issuer,
        audience, a missing claim, or not a JWT at all)."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise TokenExpired("the access token has expired") from None
        except jwt.PyJWTError:
            raise TokenInvalid("the access token is not valid") from None
        texts = [claims.get(k) for k in ("sub", "sid", "jti", "sbs", "role")]
        iat, exp, version = claims.get("iat"), claims.get("exp"), claims.get("ver")
        sites, email, name = claims.get("sites", []), claims.get("email", ""), claims.get("name", "")
        if not all(isinstance(v, str) and v for v in texts) or claims.get("role") not in ROLES:
            raise TokenInvalid("the access token is not valid")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (iat, exp, version)):
            raise TokenInvalid("the access token is not valid")
        if (
            not isinstance(sites, list)
            or len(sites) > MAX_SITES
            or not all(isinstance(s, str) for s in sites)
        ):
            raise TokenInvalid("the access token is not valid")
        if not isinstance(email, str) or not isinstance(name, str):
            raise TokenInvalid("the access token is not valid")
        user_id, session_id, jti, subscriber_id, role = (str(v) for v in texts)
        assert isinstance(iat, int) and isinstance(exp, int) and isinstance(version, int)
        viewer = Viewer(
            user_id=user_id,
            email=email,
            name=name,
            role=role,
            subscriber_id=subscriber_id,
            site_subservice_ids=frozenset(sites),
            session_id=session_id,
            session_version=version,
        )
        return AccessClaims(
            viewer=viewer,
            jti=jti,
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
