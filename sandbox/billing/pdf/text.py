"""Text the core fonts can draw: cp1252 only (WinAnsi), no control characters, bounded length, and dates
spelled the same whatever the process locale."""

from __future__ import annotations

import unicodedata
from datetime import date

ENCODING = "cp1252"

# Characters outside cp1252 that have an obvious plain-text stand-in; NFKD handles accents and ligatures.
_SUBSTITUTES = {
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2015": "-",  # horizontal bar
    "\u2212": "-",  # minus sign
    "\u2032": "'",  # prime
    "\u2033": '"',  # double prime
    "\u2190": "<-",
    "\u2192": "->",
    "\u2194": "<->",
    "\u21d2": "=>",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
    "\u2248": "~",
    "\u221e": "inf",
    "\u2713": "v",
    "\u2714": "v",
    "\u2716": "x",
    "\u2717": "x",
    "\u0141": "L",  # letters NFKD cannot decompose
    "\u0142": "l",
    "\u0110": "D",
    "\u0111": "d",
    "\u0126": "H",
    "\u0127": "h",
    "\u0131": "i",
    "\u0166": "T",
    "\u0167": "t",
    "\u00a0": " ",
    "\u2007": " ",
    "\u202f": " ",
    "\u2028": " ",
    "\u2029": " ",
    "\ufeff": "",
    "\u200b": "",
    "\u200c": "",
    "\u200d": "",
    "\u2060": "",
    "\ufe0f": "",  # emoji variation selector: drop rather than print "?"
}


def _encodable(char: str) -> bool:
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def safe_text(value: object, *, limit: int = 400, multiline: bool = False) -> str:
    """Return `value` as text the core fonts can draw: cp1252 only, no control characters, bounded length.

    `multiline` keeps line breaks (addresses); everything else is collapsed onto one line.
    """
    text = value if isinstance(value, str) else str(value)
    out: list[str] = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append("\n" if multiline else " ")
        elif char in _SUBSTITUTES:
            out.append(_SUBSTITUTES[char])
        elif unicodedata.category(char)[0] == "C":  # controls, surrogates, private use, unassigned
            out.append(" " if char == "\t" else "")
        elif _encodable(char):
            out.append(char)
        else:
            decomposed = "".join(
                c
                for c in unicodedata.normalize("NFKD", char)
                if not unicodedata.combining(c) and _encodable(c)
            )
            out.append(decomposed or "?")
    result = "".join(out)
    if multiline:
        result = "\n".join(" ".join(line.split()) for line in result.split("\n"))
        result = "\n".join(line for line in result.split("\n") if line)
    else:
        result = " ".join(result.split())
    if len(result) > limit:
        result = result[: limit - 3].rstrip() + "..."
    return result


def fmt_date(value: date) -> str:
    # Spelled out by hand so the month name does not depend on the process locale.
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{months[value.month - 1]} {value.day}, {value.year}"
