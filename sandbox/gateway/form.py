"""Stripe's request encoding: form fields with bracket notation (`metadata[invoice_id]=…`,
`line_items[0][price_data][unit_amount]=4999`, `expand[]=…`) decoded into nested dicts, and typed readers
that answer with Stripe's parameter errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from sandbox.gateway.errors import StripeError, invalid, missing, unknown_param

_KEY = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_PART = re.compile(r"\[([^\[\]]*)\]")
_INT = re.compile(r"-?[0-9]{1,18}")
MAX_FIELDS = 1000
METADATA_KEYS = 50


def decode(raw: str) -> dict[str, Any]:
    """Nested dicts from `a[b][c]=v` pairs; `a[]` appends. Lists stay dicts keyed "0", "1"… until read."""
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=False, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise StripeError(400, f"Too many parameters (at most {MAX_FIELDS}).") from None
    root: dict[str, Any] = {}
    for key, value in pairs:
        match = _KEY.fullmatch(key)
        if match is None:
            raise StripeError(400, f"Invalid parameter name: {key[:100]}", param=key[:100])
        parts = [match.group(1), *_PART.findall(match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            last = depth == len(parts) - 1
            if part == "":  # `expand[]=a&expand[]=b`
                part = str(len(node))
            if last:
                if part in node:
                    raise StripeError(400, f"Parameter given more than once: {key[:100]}", param=key[:100])
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise StripeError(400, f"Invalid hash or array: {key[:100]}", param=key[:100])
                node = child
    return root


class Params:
    """One level of decoded parameters; `prefix` names nested params the way Stripe does in errors."""

    def __init__(self, raw: dict[str, Any], prefix: str = "") -> None:
        self.raw = raw
        self.prefix = prefix

    def name(self, key: str) -> str:
        return f"{self.prefix}[{key}]" if self.prefix else key

    def only(self, allowed: Iterable[str]) -> Params:
        known = {*allowed, "expand"}
        for key in self.raw:
            if key not in known:
                raise unknown_param(self.name(key))
        return self

    def has(self, key: str) -> bool:
        return self.raw.get(key) not in (None, "")

    def string(self, key: str, *, required: bool = False, max_len: int = 5000) -> str | None:
        value = self.raw.get(key)
        if value is None or value == "":
            if required:
                raise missing(self.name(key))
            return None
        if not isinstance(value, str):
            raise invalid(self.name(key), f"Invalid string: {self.name(key)} must be a string.")
        if len(value) > max_len:
            raise invalid(
                self.name(key),
                f"Invalid string: {self.name(key)} must be at most {max_len} characters long.",
                "string_length_exceeds_maximum",
            )
        return value

    def required(self, key: str, *, max_len: int = 5000) -> str:
        value = self.string(key, required=True, max_len=max_len)
        assert value is not None
        return value

    def integer(
        self, key: str, *, required: bool = False, low: int = 0, high: int = 99_999_999
    ) -> int | None:
        value = self.string(key, required=required, max_len=20)
        if value is None:
            return None
        if not _INT.fullmatch(value):
            raise invalid(self.name(key), f"Invalid integer: {value}", "parameter_invalid_integer")
        number = int(value)
        if not low <= number <= high:
            raise invalid(
                self.name(key),
                f"Invalid {self.name(key)}: must be between {low} and {high}",
                "parameter_invalid_integer",
            )
        return number

    def boolean(self, key: str) -> bool | None:
        value = self.string(key, max_len=10)
        if value is None:
            return None
        if value not in ("true", "false"):
            raise invalid(self.name(key), f"Invalid boolean: {value}")
        return value == "true"

    def enum(self, key: str, values: tuple[str, ...], *, required: bool = False) -> str | None:
        value = self.string(key, required=required, max_len=100)
        if value is not None and value not in values:
            raise invalid(self.name(key), f"Invalid {self.name(key)}: must be one of {', '.join(values)}")
        return value

    def obj(self, key: str) -> Params | None:
        value = self.raw.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, dict):
            raise invalid(self.name(key), f"Invalid object: {self.name(key)} must be a hash.")
        return Params(value, self.name(key))

    def items(self, key: str, *, max_items: int = 100) -> list[Params]:
        """An array (`key[0][…]`, `key[1][…]`): indices must be 0..n-1."""
        value = self.raw.get(key)
        if value is None or value == "":
            return []
        if not isinstance(value, dict) or not all(k.isdigit() for k in value):
            raise invalid(self.name(key), f"Invalid array: {self.name(key)} must be an array.")
        indices = sorted(int(k) for k in value)
        if indices != list(range(len(indices))) or len(indices) > max_items:
            raise invalid(
                self.name(key), f"Invalid array: {self.name(key)} must be an array of at most {max_items}."
            )
        result = []
        for index in indices:
            entry = value[str(index)]
            if not isinstance(entry, dict):
                raise invalid(
                    f"{self.name(key)}[{index}]", f"Invalid object: {self.name(key)}[{index}] must be a hash."
                )
            result.append(Params(entry, f"{self.name(key)}[{index}]"))
        return result

    def strings(self, key: str, *, max_items: int = 20) -> list[str]:
        value = self.raw.get(key)
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, dict) or len(value) > max_items:
            raise invalid(self.name(key), f"Invalid array: {self.name(key)} must be an array of strings.")
        out = [v for _k, v in sorted(value.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)]
        if not all(isinstance(v, str) and v for v in out):
            raise invalid(self.name(key), f"Invalid array: {self.name(key)} must be an array of strings.")
        return out

    def metadata(self, key: str = "metadata") -> dict[str, str]:
        """Stripe's limits: 50 keys, keys up to 40 characters, values up to 500; empty values are dropped."""
        value = self.raw.get(key)
        if value is None or value == "":
            return {}
        if not isinstance(value, dict):
            raise invalid(self.name(key), f"Invalid object: {self.name(key)} must be a hash.")
        if len(value) > METADATA_KEYS:
            raise invalid(self.name(key), f"Invalid {self.name(key)}: at most {METADATA_KEYS} keys.")
        result: dict[str, str] = {}
        for k, v in value.items():
            if not isinstance(v, str):
                raise invalid(f"{self.name(key)}[{k}]", f"Invalid {self.name(key)}[{k}]: must be a string.")
            if len(k) > 40:
                raise invalid(
                    self.name(key), f"Invalid {self.name(key)}: keys must be at most 40 characters."
                )
            if len(v) > 500:
                raise invalid(
                    f"{self.name(key)}[{k}]", f"Invalid {self.name(key)}[{k}]: at most 500 characters."
                )
            if v != "":
                result[k] = v
        return result
