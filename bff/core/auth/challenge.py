"""The short-lived proof that a sign-in got past the password and now waits for its second factor.

A signed JWT of its own audience (`<audience>:second-factor`, so an access token is never taken for a
challenge nor the other way round), naming the user and carrying a random id. It lives 5 minutes and is
used up by the first successful code (`AuthService.verify_second_factor` claims its id in the limiter);
wrong codes count against the account in the sign-in guard like wrong passwords, and against the challenge
itself.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"
CHALLENGE_TTL = timedelta(minutes=5)


class ChallengeError(Exception):
    """The challenge is expired, forged or not a challenge at all."""


@dataclass(frozen=True, slots=True)
class Challenge:
    token: str
    user_id: str
    email: str  # lower-cased: the sign-in guard's account key
    challenge_id: str
    expires_at: datetime


class ChallengeSigner:
    def __init__(self, secret: str, *, issuer: str, audience: str, ttl: timedelta = CHALLENGE_TTL) -> None:
        self._secret = secret
        self.issuer = issuer
        self.audience = f"{audience}:second-factor"
        self.ttl = ttl

    def issue(self, user_id: str, email: str, *, now: datetime | None = None) -> Challenge:
        issued = (now or datetime.now(UTC)).replace(microsecond=0)
        expires = issued + self.ttl
        challenge_id = secrets.token_urlsafe(16)
        claims = {
            "sub": user_id,
            "email": email,
            "jti": challenge_id,
            "iat": int(issued.timestamp()),
            "exp": int(expires.timestamp()),
            "iss": self.issuer,
            "aud": self.audience,
        }
        token = jwt.encode(claims, self._secret, algorithm=ALGORITHM)
        return Challenge(token, user_id, email, challenge_id, expires)

    def decode(self, token: str) -> Challenge:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "jti"]},
            )
        except jwt.PyJWTError:
            raise ChallengeError("the sign-in challenge is not valid or has expired") from None
        user_id, email, challenge_id, exp = (claims.get(k) for k in ("sub", "email", "jti", "exp"))
        if not all(isinstance(v, str) and v for v in (user_id, email, challenge_id)) or not isinstance(
            exp, int
        ):
            raise ChallengeError("the sign-in challenge is not valid")
        return Challenge(token, str(user_id), str(email), str(challenge_id), datetime.fromtimestamp(exp, UTC))
