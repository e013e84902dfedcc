"""Card input from the hosted page: validation with the messages a shopper sees, brand detection, a keyed
fingerprint, and Stripe's test card numbers mapped to behaviours.

The card number lives only in the `CardInput` of one request: the service derives brand, last four,
fingerprint and behaviour from it and never stores or logs it (nor a plain hash of it).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

SUCCEED = "succeed"
DECLINE = "decline"
AUTHENTICATE = "authenticate"  # a one-time authentication step; saved cards then charge off-session
ALWAYS_AUTHENTICATE = "always_authenticate"  # off-session charges fail with authentication_required
CHARGE_FAILS = "charge_fails"  # saving succeeds, every charge is declined


@dataclass(frozen=True)
class Behavior:
    kind: str
    code: str | None = None  # Stripe's error code for a decline
    decline_code: str | None = None
    message: str | None = None


GENERIC_DECLINE = Behavior(DECLINE, "card_declined", "generic_decline", "Your card was declined.")
LIVE_CARD = Behavior(
    DECLINE,
    "card_declined",
    "test_mode_live_card",
    "Your card was declined. Your request was in test mode, but used a non test card. For a list of valid"
    " test cards, visit: https://stripe.com/docs/testing.",
)

TEST_CARDS: dict[str, Behavior] = {
    "4242424242424242": Behavior(SUCCEED),
    "4000056655665556": Behavior(SUCCEED),
    "5555555555554444": Behavior(SUCCEED),
    "2223003122003222": Behavior(SUCCEED),
    "378282246310005": Behavior(SUCCEED),
    "6011111111111117": Behavior(SUCCEED),
    "4000000000000002": GENERIC_DECLINE,
    "4000000000009995": Behavior(
        DECLINE, "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": Behavior(DECLINE, "card_declined", "lost_card", "Your card was declined."),
    "4000000000009979": Behavior(DECLINE, "card_declined", "stolen_card", "Your card was declined."),
    "4000000000000069": Behavior(DECLINE, "expired_card", "expired_card", "Your card has expired."),
    "4000000000000127": Behavior(
        DECLINE, "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000002500003155": Behavior(AUTHENTICATE),
    "4000002760003184": Behavior(ALWAYS_AUTHENTICATE),
    "4000000000000341": Behavior(CHARGE_FAILS),
}


def behavior_of(number: str) -> Behavior:
    return TEST_CARDS.get(number, LIVE_CARD)


def decline_for(behavior_kind: str) -> Behavior:
    """How an off-session charge on a saved card of this kind ends, or SUCCEED."""
    if behavior_kind == CHARGE_FAILS:
        return GENERIC_DECLINE
    if behavior_kind == ALWAYS_AUTHENTICATE:
        return Behavior(
            DECLINE,
            "authentication_required",
            "authentication_required",
            "Your card was declined. This transaction requires authentication.",
        )
    return Behavior(SUCCEED)


def luhn_ok(number: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(number)):
        digit = int(char)
        if index % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def brand_of(number: str) -> str:
    prefix2, prefix4 = int(number[:2]), int(number[:4])
    if number.startswith("4"):
        return "visa"
    if 51 <= prefix2 <= 55 or 2221 <= prefix4 <= 2720:
        return "mastercard"
    if prefix2 in (34, 37):
        return "amex"
    if number.startswith(("6011", "65")) or 644 <= int(number[:3]) <= 649:
        return "discover"
    if prefix2 == 35:
        return "jcb"
    if prefix2 in (36, 38, 39) or 300 <= int(number[:3]) <= 305:
        return "diners"
    if prefix2 == 62:
        return "unionpay"
    return "unknown"


def fingerprint(secret: str, number: str) -> str:
    """Keyed (HMAC), so the stored value cannot be reversed by hashing candidate numbers without the key."""
    return hmac.new(secret.encode(), number.encode(), hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class CardInput:
    number: str = field(repr=False)  # never printed: a repr() in a traceback must not leak it
    exp_month: int
    exp_year: int
    cvc: str = field(repr=False)
    name: str

    @property
    def brand(self) -> str:
        return brand_of(self.number)

    @property
    def last4(self) -> str:
        return self.number[-4:]


class CardInvalid(Exception):
    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


_EXPIRY = re.compile(r"\s*([0-9]{1,2})\s*/?\s*([0-9]{2}|[0-9]{4})\s*")


def parse_card(number: str, expiry: str, cvc: str, name: str, *, today: datetime | None = None) -> CardInput:
    """Validate the hosted page's fields; raises CardInvalid with the message shown on the page."""
    digits = re.sub(r"[\s-]", "", number or "")
    if not digits:
        raise CardInvalid("card-number", "Your card number is incomplete.")
    if not digits.isdigit() or not 12 <= len(digits) <= 19:
        raise CardInvalid("card-number", "Your card number is invalid.")
    if not luhn_ok(digits):
        raise CardInvalid("card-number", "Your card number is invalid.")
    if not (expiry or "").strip():
        raise CardInvalid("card-expiry", "Your card's expiration date is incomplete.")
    match = _EXPIRY.fullmatch(expiry)
    if match is None:
        raise CardInvalid("card-expiry", "Your card's expiration date is incomplete.")
    month, year = int(match.group(1)), int(match.group(2))
    if len(match.group(2)) == 2:
        year += 2000
    if not 1 <= month <= 12:
        raise CardInvalid("card-expiry", "Your card's expiration month is invalid.")
    current = today or datetime.now(UTC)
    # A card is valid through the last day of its expiry month.
    if (year, month) < (current.year, current.month):
        raise CardInvalid("card-expiry", "Your card's expiration year is in the past.")
    if year > current.year + 50:
        raise CardInvalid("card-expiry", "Your card's expiration year is invalid.")
    code = (cvc or "").strip()
    wanted = 4 if brand_of(digits) == "amex" else 3
    if not code.isdigit() or not 3 <= len(code) <= 4:
        raise CardInvalid("card-cvc", "Your card's security code is incomplete.")
    if len(code) != wanted:
        raise CardInvalid("card-cvc", f"Your card's security code should be {wanted} digits.")
    holder = " ".join((name or "").split())
    if not holder:
        raise CardInvalid("card-name", "Enter the name on the card.")
    if len(holder) > 100:
        raise CardInvalid("card-name", "The name on the card is too long.")
    return CardInput(digits, month, year, code, holder)
