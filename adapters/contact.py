"""Contact details as the CRM keeps them: e-mail addresses, phone numbers in E.164 and postal addresses with
an ISO 3166-1 alpha-2 country. One set of rules for both sides of the contract: the CRM (the system of
record, `sandbox.crm.service.profile`) refuses what breaks them, and the BFF (`bff.core.profile`) checks the
same rules first so that a typo costs no backend round trip and gets the same code either way.

`normalize_*` return the stored form or raise `ContactInvalid(code, field, message)`; the codes are the
ones `updateContactDetails` answers with (docs/errors.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_EMAIL = 254  # RFC 5321's path limit less the angle brackets
MAX_LOCAL_PART = 64
MAX_PHONE_INPUT = 40  # what a person may type, spaces and dashes included, before it is normalized
MAX_ADDRESS_LINE = 100
MAX_ADDRESS_LINES = 3
MAX_CITY = 80
MAX_REGION = 80
MAX_POSTAL_CODE = 16

# ISO 3166-1 alpha-2, the officially assigned codes (249). "UK", "EU" and the user-assigned X* codes are
# not countries a postal address can name.
_COUNTRY_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
VG VI VN VU WF WS YE YT ZA ZM ZW
"""
COUNTRIES = frozenset(_COUNTRY_CODES.split())

# dot-atom local part (RFC 5322 without quoted strings, which no mail form accepts in practice) and a host
# name of LDH labels with a letter-only top-level label.
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PHONE_FORMATTING = re.compile(r"[\s().\-/]")


class ContactInvalid(ValueError):
    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class PostalAddress:
    lines: tuple[str, ...]  # street, number, apartment: 1 to 3 lines
    city: str
    postal_code: str
    country: str  # ISO 3166-1 alpha-2, upper case
    region: str | None = None  # state, province, county where the country uses one

    def one_line(self) -> str:
        """The address on one line, for readers of the CRM's older free-text `address`."""
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (*self.lines, place, self.region or "", self.country) if p)


def normalize_email(raw: str, field: str = "email") -> str:
    """Trimmed, the domain lower-cased (the local part is the mailbox owner's and stays as typed)."""
    value = raw.strip()
    if len(value) > MAX_EMAIL:
        raise ContactInvalid(
            "EMAIL_TOO_LONG", field, f"An e-mail address has at most {MAX_EMAIL} characters."
        )
    local, at, domain = value.rpartition("@")
    labels = domain.split(".")
    if (
        not at
        or not local
        or len(local) > MAX_LOCAL_PART
        or not _LOCAL.match(local)
        or len(labels) < 2
        or not all(_LABEL.match(label) for label in labels)
        or not labels[-1].isalpha()
    ):
        raise ContactInvalid("INVALID_EMAIL", field, "This is not an e-mail address (name@example.com).")
    return f"{local}@{domain.lower()}"


def normalize_phone(raw: str, field: str = "phone") -> str:
    """E.164: "+" and 8 to 15 digits. Spaces, dots, dashes, slashes and parentheses are formatting; a leading
    "00" is the international prefix most of the world dials. A national number ("0912 345 678") is refused
    rather than guessed: the country code cannot be told from it."""
    if len(raw) > MAX_PHONE_INPUT:
        raise ContactInvalid(
            "INVALID_PHONE", field, f"A phone number has at most {MAX_PHONE_INPUT} characters."
        )
    digits = _PHONE_FORMATTING.sub("", raw)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if not digits.startswith("+"):
        raise ContactInvalid(
            "INVALID_PHONE", field, "Give the number with its country code, e.g. +351 912 345 678."
        )
    number = digits[1:]
    if not number.isascii() or not number.isdigit() or not 8 <= len(number) <= 15 or number[0] == "0":
        raise ContactInvalid(
            "INVALID_PHONE", field, "Not a phone number: a country code and 8 to 15 digits in all."
        )
    return "+" + number


def _text(raw: str, field: str, limit: int, *, required: bool) -> str:
    value = " ".join(raw.split())  # one line, no control characters or runs of spaces
    if len(value) > limit:
        raise ContactInvalid("TOO_LONG", field, f"At most {limit} characters.")
    if required and not value:
        raise ContactInvalid("REQUIRED", field, "This is required.")
    return value


def normalize_address(
    lines: list[str], city: str, postal_code: str, country: str, region: str | None = None
) -> PostalAddress:
    """`field` of an error is the address's own field name (`lines`, `city`, …)."""
    if len(lines) > MAX_ADDRESS_LINES:
        raise ContactInvalid("TOO_LONG", "lines", f"At most {MAX_ADDRESS_LINES} address lines.")
    kept = tuple(t for t in (_text(line, "lines", MAX_ADDRESS_LINE, required=False) for line in lines) if t)
    if not kept:
        raise ContactInvalid("REQUIRED", "lines", "Give the street address.")
    code = country.strip().upper()
    if code not in COUNTRIES:
        raise ContactInvalid(
            "INVALID_COUNTRY", "country", "Give the country as its two-letter ISO code, e.g. PT or US."
        )
    return PostalAddress(
        lines=kept,
        city=_text(city, "city", MAX_CITY, required=True),
        postal_code=_text(postal_code, "postalCode", MAX_POSTAL_CODE, required=False).upper(),
        country=code,
        region=_text(region or "", "region", MAX_REGION, required=False) or None,
    )
