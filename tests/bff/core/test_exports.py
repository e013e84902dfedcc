"""The CSV encoding of exports: RFC 4180 quoting, formula-injection guard, plain decimal amounts, bounds."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from bff.core.exports import PeriodInvalid, check_period, encode_rows, text_cell


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_text_cell_that_a_spreadsheet_would_run_is_shown_as_text(start: str) -> None:
    assert text_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'


def test_ordinary_text_is_left_alone() -> None:
    assert text_cell("Top-up = 20") == "Top-up = 20"
    assert text_cell("") == ""


def test_rows_are_rfc_4180_and_amounts_stay_numbers() -> None:
    text = encode_rows(
        [
            ("a,b", 'say "hi"', "line\nbreak", Decimal("-5.00"), Decimal("1E+3"), date(2026, 11, 1), None),
            ("=1+1", "@SUM(A1)", "-x", Decimal("0.001"), Decimal("5000"), date(2026, 1, 31), "ok"),
        ]
    )
    assert text.endswith("\r\n") and text.count("\r\n") == 2  # the embedded \n stays inside its quotes
    assert text.splitlines()[0] == '"a,b","say ""hi""","line'
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["a,b", 'say "hi"', "line\nbreak", "-5.00", "1000", "2026-11-01", ""]
    assert rows[1] == ["'=1+1", "'@SUM(A1)", "'-x", "0.001", "5000", "2026-01-31", "ok"]


def test_periods_are_bounded() -> None:
    check_period(date(2026, 1, 1), date(2026, 12, 31))  # 365 days
    check_period(date(2028, 1, 1), date(2028, 12, 31))  # 366 days in a leap year
    with pytest.raises(PeriodInvalid):
        check_period(date(2026, 1, 1), date(2027, 1, 2))
    with pytest.raises(PeriodInvalid):
        check_period(date(2026, 2, 1), date(2026, 1, 31))
