"""Authentication: access tokens, sessions with rotating refresh tokens, rate limits and the request viewer."""
