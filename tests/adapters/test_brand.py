"""The operator's brand from BRAND_* (issue 12): defaults, what is accepted, and what is refused with a message
that names the variable."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from adapters.brand import (
    DEFAULT_BRAND,
    MAX_LOGO_BYTES,
    Brand,
    BrandError,
    contrast,
    default_mark,
    load_brand,
)


def test_nothing_set_is_the_wispgate_brand() -> None:
    assert load_brand({}) == DEFAULT_BRAND == Brand()
    assert DEFAULT_BRAND.name == "WISPGate Networks" and DEFAULT_BRAND.primary_color == "#0f4c81"
    assert load_brand({"BRAND_NAME": "  ", "BRAND_PRIMARY_COLOR": ""}) == DEFAULT_BRAND
    # The default logo is the mark in the brand's colour.
    assert b'fill="#0f4c81"' in DEFAULT_BRAND.logo_svg()
    assert DEFAULT_BRAND.logo_data_uri().startswith("data:image/svg+xml;base64,")


def test_every_variable_is_read(tmp_path: Path) -> None:
    logo = tmp_path / "acme.PNG"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n-acme-")
    brand = load_brand(
        {
            "BRAND_NAME": "  Acme   Fiber ",
            "BRAND_PRIMARY_COLOR": "#7A1F5C",
            "BRAND_LOGO_FILE": str(logo),
            "BRAND_SUPPORT_EMAIL": "help@acme.example",
            "BRAND_SUPPORT_PHONE": "+1 (555) 010-0199",
        }
    )
    assert brand.name == "Acme Fiber"
    assert brand.primary_color == "#7a1f5c" and brand.rgb == (122, 31, 92)
    assert brand.logo == b"\x89PNG\r\n\x1a\n-acme-" and brand.logo_type == "image/png"
    assert brand.logo_data_uri() == "data:image/png;base64," + base64.b64encode(brand.logo).decode()
    assert brand.contacts == "help@acme.example · +1 (555) 010-0199"
    # Hover is darker, the tint paler; both keep the hue.
    assert brand.dark_color == "#62194a" and brand.tint_color == "#f2e9ef"
    # A PNG logo leaves the SVG form to the default mark (in the brand's colour).
    assert brand.logo_svg() == default_mark("#7a1f5c")


def test_contrast_is_wcag_s() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast("#0f4c81", "#ffffff") > 4.5


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BRAND_PRIMARY_COLOR": "purple"}, "BRAND_PRIMARY_COLOR must be a colour like #0f4c81"),
        ({"BRAND_PRIMARY_COLOR": "#0f4c8"}, "BRAND_PRIMARY_COLOR must be a colour like #0f4c81"),
        # Gateway purple would pass; a light yellow would leave white button text unreadable.
        ({"BRAND_PRIMARY_COLOR": "#ffd23f"}, "BRAND_PRIMARY_COLOR #ffd23f is too light"),
        ({"BRAND_NAME": "Acme <b>Fiber</b>"}, "BRAND_NAME must be at most 60 characters"),
        ({"BRAND_NAME": "A" * 61}, "BRAND_NAME must be at most 60 characters"),
        ({"BRAND_SUPPORT_EMAIL": "help at acme"}, "BRAND_SUPPORT_EMAIL must be an e-mail address"),
        ({"BRAND_SUPPORT_PHONE": "call us"}, "BRAND_SUPPORT_PHONE must be a phone number"),
        ({"BRAND_LOGO_FILE": "/nowhere/logo.png"}, "BRAND_LOGO_FILE '/nowhere/logo.png' cannot be read"),
        ({"BRAND_LOGO_FILE": "/etc/passwd"}, "BRAND_LOGO_FILE must be an .svg, .png, .jpg, .jpeg file"),
    ],
)
def test_unusable_values_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(BrandError) as raised:
        load_brand(env)
    assert message in str(raised.value)


def test_a_logo_too_big_or_empty_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.svg"
    big.write_bytes(b"<svg/>" + b" " * MAX_LOGO_BYTES)
    empty = tmp_path / "empty.svg"
    empty.write_bytes(b"")
    for path in (big, empty):
        with pytest.raises(BrandError, match="BRAND_LOGO_FILE must hold 1 byte to 256 KiB"):
            load_brand({"BRAND_LOGO_FILE": str(path)})
