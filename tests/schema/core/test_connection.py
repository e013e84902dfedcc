"""Cursor and window arithmetic of `schema.core.connection` (the HTTP tests cover it end to end)."""

from __future__ import annotations

import pytest

from schema.core.connection import MAX_FIRST, decode_cursor, encode_cursor, window
from schema.core.errors import BadUserInput


def test_cursors_round_trip_and_are_opaque() -> None:
    for offset in (0, 1, 99, 123456):
        cursor = encode_cursor(offset)
        assert str(offset) not in cursor
        assert decode_cursor(cursor) == offset


@pytest.mark.parametrize("cursor", ["", "!!", "bzo", "bzotMQ", "eDox", "bzoxMjM0NTY3ODkwMTI", "a" * 65])
def test_foreign_cursors_are_bad_user_input(cursor: str) -> None:
    with pytest.raises(BadUserInput):
        decode_cursor(cursor)


def test_window_slices_after_the_cursor() -> None:
    win = window(40, 7, encode_cursor(34), 50)
    assert (win.start, win.stop, win.total) == (35, 40, 40)
    info = win.page_info()
    assert info.has_next_page is False and info.has_previous_page is True
    assert info.start_cursor == encode_cursor(35) and info.end_cursor == encode_cursor(39)


def test_window_past_the_end_is_empty_not_an_error() -> None:
    win = window(3, 10, encode_cursor(10), 50)
    assert win.start == win.stop == 3
    assert win.page_info().start_cursor is None


def test_first_bounds() -> None:
    assert window(500, None, None, 50).stop == 50
    assert window(500, MAX_FIRST, None, 50).stop == MAX_FIRST
    with pytest.raises(BadUserInput):
        window(500, MAX_FIRST + 1, None, 50)
    with pytest.raises(BadUserInput):
        window(500, -1, None, 50)
