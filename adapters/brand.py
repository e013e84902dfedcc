"""The operator's brand: name, primary colour, logo and support contacts, from the environment.

One reader for every system that shows the brand: the BFF (the portal's title, colours, header and footer;
`bff.core.settings`) and the sandbox's core systems (the CRM's e-mails, Billing's PDFs, the gateway's hosted
page; `sandbox.settings`), so `wispgate demo` shows one brand everywhere from one set of variables:

    BRAND_NAME           the operator's name ("Acme Fiber"); default "WISPGate Networks"
    BRAND_PRIMARY_COLOR  #rrggbb; white text on it and it on white must reach 4.5:1 (WCAG AA)
    BRAND_LOGO_FILE      an SVG, PNG or JPEG file of at most 256 KiB; default: the WISPGate mark in the colour
    BRAND_SUPPORT_EMAIL  where subscribers write to
    BRAND_SUPPORT_PHONE  where they call
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_NAME = "WISPGate Networks"
DEFAULT_COLOR = "#0f4c81"
DEFAULT_SUPPORT_EMAIL = "support@wispgate.example"
DEFAULT_SUPPORT_PHONE = "+1 555 0100"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
MAX_LOGO_BYTES = 256 * 1024
MAX_NAME = 60
MIN_CONTRAST = 4.5  # WCAG AA for body text: links in the colour on white, white on buttons of the colour
_COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ().-]{3,30}$")


class BrandError(ValueError):
    """A BRAND_* variable is not usable; the message names it and says why."""


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(255.0, c))):02x}" for c in rgb)


def _luminance(color: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _mix(color: str, other: tuple[int, int, int], share: float) -> str:
    """`color` with `share` of `other` mixed in."""
    return _hex(tuple(c * (1 - share) + o * share for c, o in zip(_rgb(color), other, strict=True)))  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Brand:
    name: str = DEFAULT_NAME
    primary_color: str = DEFAULT_COLOR  # "#rrggbb", lower case
    support_email: str = DEFAULT_SUPPORT_EMAIL
    support_phone: str = DEFAULT_SUPPORT_PHONE
    logo: bytes | None = None  # the file's bytes; None: the default mark
    logo_type: str = ""  # its media type ("image/png")

    @property
    def rgb(self) -> tuple[int, int, int]:
        return _rgb(self.primary_color)

    @property
    def dark_color(self) -> str:
        """For hover and pressed states: a fifth darker."""
        return _mix(self.primary_color, (0, 0, 0), 0.2)

    @property
    def tint_color(self) -> str:
        """A pale background in the colour (selected rows, secondary buttons): 90 % white."""
        return _mix(self.primary_color, (255, 255, 255), 0.9)

    @property
    def contacts(self) -> str:
        """ "support@acme.example · +1 555 0100" (what of it is set)."""
        return " · ".join(c for c in (self.support_email, self.support_phone) if c)

    def logo_svg(self) -> bytes:
        """The configured logo if it is an SVG, else the default mark in the brand's colour."""
        if self.logo is not None and self.logo_type == "image/svg+xml":
            return self.logo
        return default_mark(self.primary_color)

    def logo_data_uri(self) -> str:
        """The logo (or the default mark) as a data: URI, for pages whose CSP allows only data: images."""
        data, kind = (
            (self.logo, self.logo_type) if self.logo is not None else (self.logo_svg(), "image/svg+xml")
        )
        return f"data:{kind};base64,{base64.b64encode(data).decode()}"


DEFAULT_BRAND = Brand()


def default_mark(color: str = DEFAULT_COLOR) -> bytes:
    """The WISPGate mark (a rounded square with a Wi-Fi sign) in `color`: the logo when none is configured."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32" width="64" height="64">'
        f'<rect width="32" height="32" rx="7" fill="{color}"/>'
        '<path d="M8 20a11 11 0 0 1 16 0M11 23.5a6.5 6.5 0 0 1 10 0" fill="none" stroke="#fff" '
        'stroke-width="2.4" stroke-linecap="round"/><circle cx="16" cy="26" r="1.8" fill="#fff"/></svg>'
    ).encode()


def _color(raw: str) -> str:
    value = raw.strip()
    if not _COLOR.match(value):
        raise BrandError(f"BRAND_PRIMARY_COLOR must be a colour like #0f4c81, not {raw!r}")
    value = value.lower()
    ratio = contrast(value, "#ffffff")
    if ratio < MIN_CONTRAST:
        raise BrandError(
            f"BRAND_PRIMARY_COLOR {value} is too light: white text on it (and it on white) has a contrast of "
            f"{ratio:.2f}:1, at least {MIN_CONTRAST}:1 is needed; choose a darker shade"
        )
    return value


def _logo(raw: str) -> tuple[bytes, str]:
    path = Path(raw.strip())
    kind = LOGO_TYPES.get(path.suffix.lower())
    if kind is None:
        raise BrandError(f"BRAND_LOGO_FILE must be an {', '.join(LOGO_TYPES)} file, not {path.name!r}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BrandError(f"BRAND_LOGO_FILE {str(path)!r} cannot be read: {exc.strerror}") from None
    if not data or len(data) > MAX_LOGO_BYTES:
        raise BrandError(
            f"BRAND_LOGO_FILE must hold 1 byte to {MAX_LOGO_BYTES // 1024} KiB, not {len(data)} bytes"
        )
    return data, kind


def load_brand(source: Mapping[str, str]) -> Brand:
    """The brand from BRAND_* in `source`; unset or empty variables keep the defaults. Raises `BrandError`."""
    name = " ".join((source.get("BRAND_NAME") or "").split()) or DEFAULT_NAME
    if len(name) > MAX_NAME or any(c in name for c in "<>\"'&"):
        raise BrandError(f"BRAND_NAME must be at most {MAX_NAME} characters without <>\"'&, not {name!r}")
    email = (source.get("BRAND_SUPPORT_EMAIL") or "").strip() or DEFAULT_SUPPORT_EMAIL
    if not _EMAIL.match(email):
        raise BrandError(f"BRAND_SUPPORT_EMAIL must be an e-mail address, not {email!r}")
    phone = (source.get("BRAND_SUPPORT_PHONE") or "").strip() or DEFAULT_SUPPORT_PHONE
    if not _PHONE.match(phone):
        raise BrandError(f"BRAND_SUPPORT_PHONE must be a phone number like +1 555 0100, not {phone!r}")
    color = (
        _color(source["BRAND_PRIMARY_COLOR"])
        if (source.get("BRAND_PRIMARY_COLOR") or "").strip()
        else DEFAULT_COLOR
    )
    logo, logo_type = (
        _logo(source["BRAND_LOGO_FILE"]) if (source.get("BRAND_LOGO_FILE") or "").strip() else (None, "")
    )
    return Brand(
        name=name,
        primary_color=color,
        support_email=email,
        support_phone=phone,
        logo=logo,
        logo_type=logo_type,
    )
