from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from graphql import GraphQLEnumType, GraphQLObjectType, GraphQLSchema, get_named_type

from tests.harness.portal import Portal
from tests.schema.queries import INVOICES, WALLET


def gid(type_name: str, raw_id: str) -> str:
    """A global ID as the portal issues them (base64url of "Type:id", unpadded)."""
    return base64.urlsafe_b64encode(f"{type_name}:{raw_id}".encode()).decode().rstrip("=")


def subscriber(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["viewer"]["subscriber"]
    return result


def nodes(connection: dict[str, Any]) -> list[dict[str, Any]]:
    if "nodes" in connection:
        return list(connection["nodes"])
    return [e["node"] for e in connection["edges"]]


def codes(payload: dict[str, Any]) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in payload.get("errors", [])]


def error_enums(schema: GraphQLSchema) -> dict[str, GraphQLEnumType]:
    """Mutation name → the code enum of its payload's userErrors."""
    assert schema.mutation_type is not None
    found = {}
    for name, field in schema.mutation_type.fields.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType)
        if "userErrors" in payload.fields:
            error = get_named_type(payload.fields["userErrors"].type)
            assert isinstance(error, GraphQLObjectType)
            enum = get_named_type(error.fields["code"].type)
            assert isinstance(enum, GraphQLEnumType)
            found[name] = enum
    return found


# ------------------------------------------------------------------ the money and notification tests'


async def payload(portal: Portal, query: str, variables: dict[str, Any], name: str) -> dict[str, Any]:
    result = await portal.data(query, variables)
    value: dict[str, Any] = result[name]
    return value


async def invoices_of(portal: Portal) -> list[dict[str, Any]]:
    return nodes(subscriber(await portal.data(INVOICES))["invoices"])


async def wallet_of(portal: Portal) -> Decimal:
    return Decimal(subscriber(await portal.data(WALLET))["wallet"]["balance"]["amount"])


def money_calls(portal: Portal) -> int:
    """Requests to the systems that move money (the viewer's own lookup goes to the CRM)."""
    return portal.transport.calls["billing.test"] + portal.transport.calls["gateway.test"]


def error_codes(result: dict[str, Any]) -> list[str]:
    return [e["code"] for e in result["userErrors"]]
