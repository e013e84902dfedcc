"""Backend answers decoded in one pass, from the response bytes straight into the ports' records.

The records are frozen `msgspec.Struct`s (`adapters/ports/*.py`); `decode` turns the bytes of an answer into
one of them, or into `Items[T]` for a batch read, validating every field on the way: a missing field, a
wrong type, a value outside an enum (`Literal`), a datetime without an offset, a malformed date, a Decimal
that is not a number or not finite becomes `ContractViolation(backend, "<request>: <what> - at `$.path`")`,
never a KeyError, TypeError or msgspec error. Money stays exact: amounts decode to `Decimal` from the digits
on the wire (a JSON number, which the contract does not send, is read from its text, never through a float).

Why msgspec rather than the hand-written readers or a pydantic `TypeAdapter`: a record's type *is* its
contract (field types, `Literal` enums, `msgspec.field(name=…)` for wire names), where the hand-written way
repeated every field three times (DTO, `parse_*`, `Fields` accessor), and it decodes in C from the bytes.
Kept from what was there: the checks and the error type. Left behind: `wire.Fields`, ~30 `parse_*` readers
and the stdlib `json` pass before them.

The records are also `gc=False`: they hold only strings, numbers, dates and other records, so they can never
be part of a reference cycle and the garbage collector need not track them (on large pages the collector
costs the BFF more CPU than decoding did).
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

import msgspec

from adapters.errors import ContractViolation

T = TypeVar("T")


class Items(msgspec.Struct, Generic[T], frozen=True, gc=False):
    """The envelope of every batch read and list: `{"items": [...]}`."""

    items: list[T]


# Building a decoder compiles the type once; every later answer of that type reuses it.
_DECODERS: dict[object, msgspec.json.Decoder[Any]] = {}


def _decoder(into: object) -> msgspec.json.Decoder[Any]:
    found = _DECODERS.get(into)
    if found is None:
        found = _DECODERS[into] = msgspec.json.Decoder(into)
    return found


def decode(backend: str, body: bytes, into: type[T], where: str) -> T:
    """`body` as an `into`, or ContractViolation naming `backend`, `where` (the request) and the field."""
    try:
        value: T = _decoder(into).decode(body)
    except msgspec.ValidationError as exc:
        raise ContractViolation(backend, f"{where}: {exc}") from None
    except msgspec.DecodeError:
        raise ContractViolation(backend, f"{where}: response body is not JSON") from None
    return value
