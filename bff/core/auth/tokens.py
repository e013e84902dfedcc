"""Short-lived access tokens: HS256 JWTs carrying the user (`sub`) and the session (`sid`) they belong to.

The algorithm is pinned on decode and every registered claim we rely on is required (PyJWT accepts a token
without `exp` unless told otherwise). A token is only half the check: the request also needs its session
to still be active, so that logout and revocation take effect before the token expires.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from bff.core.settings import MIN_SECRET_BYTES

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "sid", "jti"]


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
    user_id: str
    session_id: str
    jti: str
    issued_at: datetime
    expires_at: datetime


class TokenService:
    def __init__(self, secret: str, *, issuer: str, audience: str, ttl: timedelta) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            # PyJWT only warns about short HMAC keys; a guessable key forges every token.
            raise ValueError(f"the JWT secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self.issuer = issuer
        self.audience = audience
        self.ttl = ttl

    def issue(self, user_id: str, session_id: str, *, now: datetime | None = None) -> AccessToken:
        issued = (now or datetime.now(UTC)).replace(microsecond=0)
        expires = issued + self.ttl
        jti = secrets.token_urlsafe(16)
        claims = {
            "sub": user_id,
            "sid": session_id,
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
        user_id, session_id, jti = claims.get("sub"), claims.get("sid"), claims.get("jti")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not all(isinstance(v, str) and v for v in (user_id, session_id, jti)):
            raise TokenInvalid("the access token is not valid")
        if not isinstance(iat, int) or not isinstance(exp, int):
            raise TokenInvalid("the access token is not valid")
        return AccessClaims(
            user_id=str(user_id),
            session_id=str(session_id),
            jti=str(jti),
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
        )
