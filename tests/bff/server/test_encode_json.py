"""The answers' JSON (`PortalGraphQL.encode_json`): orjson's, text (a WebSocket frame must be text), the same
values the stdlib would write, and the stdlib's escape for what orjson refuses."""

from __future__ import annotations

import json

from bff.server.graphql import PortalGraphQL

VIEW = object.__new__(PortalGraphQL)  # encode_json reads nothing of the instance


def test_an_answer_is_text_with_the_same_values() -> None:
    data = {
        "data": {"viewer": {"name": "Ana Lima – Café", "count": 3, "ok": True, "none": None}},
        "errors": [],
    }
    encoded = VIEW.encode_json(data)
    assert isinstance(encoded, str)
    assert json.loads(encoded) == data
    assert "Café" in encoded  # non-ASCII written as is, not \\u-escaped


def test_a_lone_surrogate_falls_back_to_the_stdlib_escape() -> None:
    encoded = VIEW.encode_json({"message": "bad \ud800 text"})
    assert encoded == '{"message":"bad \\ud800 text"}'
