"""Links into the portal that leave it by e-mail (a password reset, an invitation)."""

from __future__ import annotations

from schema.core.context import Context

RESET_PATH = "/reset-password"


def reset_link(context: Context) -> str:
    """Where an e-mailed reset or invitation link points: the portal's page that reads `?token=`. The
    configured public URL, else (development) the URL this request came to."""
    base = context.settings.portal_url or str(context.request.base_url)
    return base.rstrip("/") + RESET_PATH
