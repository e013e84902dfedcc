"""The authorization matrix, generated from the schema: every field that takes an ID — query fields (`node`,
`nodes`), mutations (an ID anywhere in their input) and subscriptions — asked, by every role, about objects
it must not see, answers exactly as it answers about an object that does not exist.

Actors: every role of the enterprise tenant (SUB-2001: OWNER, MANAGER, FINANCE, VIEWER, SITE) and both roles of
the MDU tenant (SUB-3001: MANAGER, SITE). Objects, read from the seeded sandbox world by each tenant's
administrator, of every type the schema fetches by ID (its `Node` types and `PortalSession`):
- the other tenant's objects ("foreign");
- for a SITE user, what the administrator lists and the SITE user does not (other sites, their devices and
  invoices, the account's consolidated invoices and cards, notifications about the wallet);
- the sessions of the tenant's other users;
- forged IDs: a foreign object's key under every other type name.
Each is compared with an ID of the same type that exists nowhere, asked in the same request (aliases batch
the probes): same `data`, same errors (code, message and path, with the IDs and aliases written out of them).
The matrix's size and result are printed (`pytest -s`).
"""

from __future__ import annotations

import base64
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_composite_type,
)

from adapters.ports.billing import BillingPort
from tests.harness.portal import Portal, SignIn

ACTORS = (
    ("SUB-2001", "OWNER", "it@northwind.example"),
    ("SUB-2001", "MANAGER", "ops@northwind.example"),
    ("SUB-2001", "FINANCE", "finance@northwind.example"),
    ("SUB-2001", "VIEWER", "auditor@northwind.example"),
    ("SUB-2001", "SITE", "airport@northwind.example"),
    ("SUB-3001", "MANAGER", "manager@harborview.example"),
    ("SUB-3001", "SITE", "apt101@harborview.example"),
)
ADMINS = {"SUB-2001": "it@northwind.example", "SUB-3001": "manager@harborview.example"}
MISSING = "PROBE-MISSING-0"
PER_TYPE = 6  # objects of each type per tenant: enough to cover each kind, few enough to stay fast
ALIASES_PER_REQUEST = 25  # under the alias limit (30)

WORLD = """
{ viewer { user { id } sessions { id } subscriber { id
    subServices(first: 100) { nodes { id devices { id } } }
    invoices(first: 100) { nodes { id } }
    tickets(first: 100) { nodes { id } }
    notifications(first: 100) { nodes { id } }
    paymentMethods { id }
} } }
"""


def gid(type_name: str, raw: str) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{raw}".encode()).decode().rstrip("=")


def type_of(global_id: str) -> str:
    padded = global_id + "=" * (-len(global_id) % 4)
    return base64.urlsafe_b64decode(padded).decode().split(":", 1)[0]


def raw_of(global_id: str) -> str:
    padded = global_id + "=" * (-len(global_id) % 4)
    return base64.urlsafe_b64decode(padded).decode().split(":", 1)[1]


def ids_in(value: Any) -> Iterator[str]:
    """Every `id` in a GraphQL answer."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                yield item
            else:
                yield from ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from ids_in(item)


def sample(ids: set[str]) -> list[str]:
    """Up to PER_TYPE ids of each type, the same ones every run."""
    by_type: dict[str, list[str]] = {}
    for identifier in sorted(ids):
        by_type.setdefault(type_of(identifier), []).append(identifier)
    return [i for group in by_type.values() for i in group[:PER_TYPE]]


# ------------------------------------------------------------------------------ the probes, from the schema


@dataclass(frozen=True)
class Probe:
    """One field that takes an ID: how to ask it about `target` under `alias`."""

    root: str  # "query" | "mutation"
    name: str  # the field, with the path of the ID argument for inputs: "payInvoice.input.invoiceId"
    field: GraphQLField
    path: tuple[str, ...]  # argument, then input fields, down to the ID
    # The types of ID it takes: named by the argument (`invoiceId` → Invoice), else every Node type. IDs of
    # other types are refused as malformed, a missing one alike: probing them all would only cost time.
    accepts: frozenset[str]
    # For a field below the roots: the root fields that lead to its type (`Subscriber.tickets`: viewer,
    # subscriber). The alias goes on the first, so each probe's answer and errors stay under its alias.
    via: tuple[str, ...] = ()
    field_name: str = ""  # the field itself, when `name` starts with its type's name

    def selection(self, alias: str, target: str, serial: int) -> str:
        arguments = ", ".join(
            f"{name}: {literal(arg.type, self.path[1:] if name == self.path[0] else None, target, serial)}"
            for name, arg in self.field.args.items()
            if name == self.path[0] or isinstance(arg.type, GraphQLNonNull)
        )
        field = self.field_name or self.name.split(".")[0]
        inner = (
            field + (f"({arguments})" if arguments else "") + selection_of(get_named_type(self.field.type))
        )
        if not self.via:
            return f"{alias}: {inner}"
        head, *rest = self.via
        return (
            f"{alias}: {head}"
            + "".join(f" {{ {step}" for step in rest)
            + f" {{ {inner} }}"
            + " }" * len(rest)
        )


def literal(type_: GraphQLInputType, path: tuple[str, ...] | None, target: str, serial: int) -> str:
    """A GraphQL literal of `type_`: the target at the end of `path`, the least valid value elsewhere."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return f"[{literal(inner.of_type, path, target, serial)}]"
    if isinstance(inner, GraphQLInputObjectType):
        parts = []
        for name, input_field in inner.fields.items():
            on_path = path is not None and len(path) > 0 and path[0] == name
            if on_path or isinstance(input_field.type, GraphQLNonNull):
                rest = path[1:] if on_path and path is not None else None
                parts.append(f"{name}: {literal(input_field.type, rest, target, serial)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    assert isinstance(inner, GraphQLScalarType)
    if inner.name == "ID":
        return json.dumps(target if path is not None else MISSING)
    return {
        "Int": "1",
        "Float": "1.0",
        "Boolean": "true",
        "Decimal": '"1.00"',
    }.get(inner.name, json.dumps(f"probe-{serial}"))


def selection_of(named: GraphQLNamedType) -> str:
    """What to ask of a probed field's answer: every scalar of it, `__typename` and the `id` of objects in
    it, and userErrors in full — enough to see any object that should not be there."""
    if not is_composite_type(named):
        return ""
    parts = ["__typename", *node_id(named)]
    if isinstance(named, GraphQLObjectType):
        for name, sub in named.fields.items():
            if name == "id" or any(isinstance(a.type, GraphQLNonNull) for a in sub.args.values()):
                continue
            inner = get_named_type(sub.type)
            if name == "userErrors":
                parts.append("userErrors { __typename code field message }")
            elif not is_composite_type(inner):
                parts.append(name)
            else:
                parts.append(f"{name} {{ {' '.join(['__typename', *node_id(inner)])} }}")
    return " { " + " ".join(parts) + " }"


def node_id(named: GraphQLNamedType) -> list[str]:
    """`id` for what is a Node (or may be one)."""
    if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
        return ["... on Node { id }"] if named.name != "Node" else ["id"]
    if isinstance(named, GraphQLObjectType) and "id" in named.fields:
        return ["id"]
    return []


def id_paths(
    type_: GraphQLInputType, seen: frozenset[str] = frozenset()
) -> Iterator[tuple[tuple[str, ...], bool]]:
    """Paths to the ID scalars in an input type, and whether each sits in a list."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    in_list = False
    if isinstance(inner, GraphQLList):
        in_list = True
        inner = inner.of_type.of_type if isinstance(inner.of_type, GraphQLNonNull) else inner.of_type
    if isinstance(inner, GraphQLScalarType) and inner.name == "ID":
        yield (), in_list
    elif isinstance(inner, GraphQLInputObjectType) and inner.name not in seen:
        for name, input_field in inner.fields.items():
            for path, listed in id_paths(input_field.type, seen | {inner.name}):
                yield (name, *path), listed or in_list


def accepted_types(schema: GraphQLSchema, field_name: str, name: str) -> frozenset[str]:
    """The type an ID argument takes, from its name (`invoiceId`), else from its field's name
    (`markNotificationsRead(ids)`); every Node type when neither names one (`node`, `nodes`)."""
    node = schema.get_type("Node")
    assert isinstance(node, GraphQLInterfaceType)
    nodes = sorted((t.name for t in schema.get_possible_types(node)), key=len, reverse=True)
    named = re.sub(r"Ids?$", "", name)
    named = named[:1].upper() + named[1:]
    for candidate in (named, f"Portal{named}"):  # `sessionId` → PortalSession, `userId` → PortalUser
        if candidate and (candidate in nodes or isinstance(schema.get_type(candidate), GraphQLObjectType)):
            return frozenset({candidate})
    for candidate in nodes:
        if candidate in field_name[:1].upper() + field_name[1:]:
            return frozenset({candidate})
    return frozenset(nodes)


# How a probe reaches a type below the roots that has a field taking an ID: the viewer's own objects (the
# foreign ID goes into an argument of the viewer's own subscriber, e.g. `tickets(subServiceId:)`).
REACH: dict[str, tuple[str, ...]] = {"Subscriber": ("viewer", "subscriber")}


def probes_of(schema: GraphQLSchema) -> tuple[list[Probe], list[str]]:
    """Every root field that takes an ID, one probe per ID argument path; and the fields below the roots and
    the subscriptions that take one (which this test would have to learn to reach)."""
    probes: list[Probe] = []
    for root, type_ in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert type_ is not None
        for name, root_field in type_.fields.items():
            for arg_name, arg in root_field.args.items():
                for path, _ in id_paths(arg.type):
                    label = ".".join((name, arg_name, *path)) if path else name
                    accepts = accepted_types(schema, name, (arg_name, *path)[-1])
                    probes.append(Probe(root, label, root_field, (arg_name, *path), accepts))
    unreached = []
    roots = {schema.query_type, schema.mutation_type}
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_ in roots or type_.name.startswith("__"):
            continue
        for name, sub in type_.fields.items():
            for arg_name, arg in sub.args.items():
                for path, _ in id_paths(arg.type):
                    if type_.name not in REACH:
                        unreached.append(f"{type_.name}.{name}")
                        continue
                    label = ".".join((type_.name, name, arg_name, *path))
                    accepts = accepted_types(schema, name, (arg_name, *path)[-1])
                    probes.append(
                        Probe("query", label, sub, (arg_name, *path), accepts, REACH[type_.name], name)
                    )
    return probes, sorted(set(unreached))


# ------------------------------------------------------------------------------ running and comparing


def normalized(answer: tuple[Any, list[dict[str, Any]]], replace: dict[str, str]) -> Any:
    """An alias's answer with the probed ID, the alias and where in the document it stood written out."""
    data, errors = answer
    text = json.dumps(
        [data, [{k: v for k, v in e.items() if k != "locations"} for e in errors]], sort_keys=True
    )
    for old, new in replace.items():
        text = text.replace(old, new)
    return json.loads(re.sub(r"probe-\d+", "probe-N", text))


@dataclass
class Matrix:
    probes: int = 0
    requests: int = 0
    fields: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)
    tenants: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)
    leaks: list[str] = field(default_factory=list)
    by_field: dict[str, int] = field(default_factory=dict)  # requests


Answers = dict[str, tuple[Any, list[dict[str, Any]]]]


async def ask(portal: Portal, probe: Probe, asked: list[tuple[str, str]], matrix: Matrix) -> Answers:
    """Each alias's (data, errors). Batched; but when an error nulled the whole answer (a non-null field: a
    mutation's payload, `nodes`), graphql-core stops there or reports one error for all, so each alias is
    then asked on its own."""
    serial = itertools.count()

    async def post(pairs: list[tuple[str, str]]) -> dict[str, Any]:
        body = " ".join(probe.selection(alias, target, next(serial)) for alias, target in pairs)
        response = await portal.post(f"{probe.root} {{ {body} }}")
        matrix.requests += 1
        matrix.by_field[probe.name] = matrix.by_field.get(probe.name, 0) + 1
        assert response.status_code == 200, (probe.name, response.text)
        payload: dict[str, Any] = response.json()
        # An error without a path refused the document itself: the probe would compare nothing.
        unplaced = [e for e in payload.get("errors") or [] if not e.get("path")]
        assert unplaced == [], f"the probe of {probe.name} is not a valid operation: {unplaced}"
        return payload

    def of(payload: dict[str, Any], alias: str) -> tuple[Any, list[dict[str, Any]]]:
        errors = [e for e in payload.get("errors") or [] if (e.get("path") or [None])[0] == alias]
        return (payload.get("data") or {}).get(alias), errors

    payload = await post(asked)
    if payload.get("data") is not None or len(asked) == 1:
        return {alias: of(payload, alias) for alias, _ in asked}
    answers = {}
    for alias, target in asked:
        alone = await post([(alias, target)])
        answers[alias] = (None, alone.get("errors") or []) if alone.get("data") is None else of(alone, alias)
    return answers


async def run_probe(portal: Portal, probe: Probe, targets: list[str], actor: str, matrix: Matrix) -> None:
    """Ask `probe` about each target and about a missing ID of the target's type, in batches of aliases."""
    targets = [t for t in targets if type_of(t) in probe.accepts]
    baselines = sorted({type_of(t) for t in targets})
    per_request = ALIASES_PER_REQUEST - len(baselines)
    for start in range(0, len(targets), per_request):
        chunk = targets[start : start + per_request]
        asked = [(f"m_{t}", gid(t, MISSING)) for t in baselines] + [(f"t{i}", t) for i, t in enumerate(chunk)]
        answers = await ask(portal, probe, asked, matrix)
        for index, target in enumerate(chunk):
            kind = type_of(target)
            replace = {
                target: "<ID>",
                gid(kind, MISSING): "<ID>",
                f'"t{index}"': '"<A>"',
                f'"m_{kind}"': '"<A>"',
            }
            got = normalized(answers[f"t{index}"], replace)
            missing = normalized(answers[f"m_{kind}"], replace)
            matrix.probes += 1
            matrix.ids.add(target)
            if got != missing:
                matrix.leaks.append(f"{actor} {probe.name} {kind}:{raw_of(target)}: {got} != {missing}")


NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Node { id } } }"


async def own_and_foreign_in_one_list(portal: Portal, own: set[str], targets: list[str], actor: str) -> None:
    """The matrix is not vacuous: the same user gets their own objects by ID, in the same `nodes` list as the
    ones they must not see, which come back null."""
    mine = [i for i in sample(own) if type_of(i) not in ("PortalSession",)]
    others = [t for t in targets if type_of(t) != "PortalSession"][:20]
    assert mine and others, actor
    ids = [x for pair in itertools.zip_longest(mine, others) for x in pair if x is not None]
    got = (await portal.data(NODES, {"ids": ids}))["nodes"]
    for asked, answer in zip(ids, got, strict=True):
        if asked in mine:
            assert answer is not None and answer["id"] == asked, (actor, type_of(asked), raw_of(asked))
        else:
            assert answer is None, (actor, type_of(asked), raw_of(asked), answer)


async def test_a_foreign_or_out_of_scope_id_answers_like_a_missing_one(
    sign_in: SignIn, billing_port: BillingPort
) -> None:
    # Saved cards (the seed has none): two per tenant.
    year = date.today().year + 3
    for subscriber_id in ADMINS:
        for token, last4 in (("pm_test_visa", "4242"), ("pm_test_mc", "4444")):
            await billing_port.add_payment_method(
                subscriber_id,
                gateway_token=f"{token}_{subscriber_id}",
                brand="visa",
                last4=last4,
                exp_month=12,
                exp_year=year,
            )

    # The schema, by introspection (development serves it), as a client would see it.
    explorer = await sign_in("ana@lima.example")
    introspection = await explorer.data(get_introspection_query())
    schema = build_client_schema(introspection)  # type: ignore[arg-type]
    probes, unreached = probes_of(schema)
    assert {p.name for p in probes} >= {
        "node",
        "nodes",
        "payInvoice.input.invoiceId",
        "setWifiSettings.input.deviceId",
        "rebootDevice.input.deviceId",
    }
    assert unreached == [], f"fields below the roots take an ID: teach this test to reach {unreached}"
    subscription = schema.subscription_type
    assert subscription is not None
    with_ids = [
        n for n, f in subscription.fields.items() if any(list(id_paths(a.type)) for a in f.args.values())
    ]
    assert with_ids == [], f"subscriptions take an ID: teach this test to probe {with_ids}"

    # The world: what each tenant's administrator and each actor sees, and every actor's sessions.
    portals: dict[str, Portal] = {}
    seen: dict[str, set[str]] = {}
    for _, _, email in ACTORS:
        portals[email] = await sign_in(email)
        seen[email] = set(ids_in(await portals[email].data(WORLD)))
    sessions = {email: {i for i in seen[email] if type_of(i) == "PortalSession"} for email in seen}
    everything = {tenant: seen[admin] for tenant, admin in ADMINS.items()}

    matrix = Matrix()
    for tenant, role, email in ACTORS:
        other = next(t for t in ADMINS if t != tenant)
        foreign = sample(everything[other])
        forged = [
            gid(kind, raw_of(target))
            for target in foreign
            for kind in sorted({type_of(t) for t in everything[other]})
            if kind != type_of(target)
        ]
        # What the administrator lists and this user does not (users and sessions apart: below).
        hidden = {
            i for i in everything[tenant] - seen[email] if type_of(i) not in ("PortalUser", "PortalSession")
        }
        out_of_scope = sample(hidden)
        others_sessions = sorted(s for (t, _, e) in ACTORS if t == tenant and e != email for s in sessions[e])
        targets = foreign + forged[:: max(1, len(forged) // 40)] + out_of_scope + others_sessions
        matrix.roles.add(role)
        matrix.tenants.update({tenant, other})
        await own_and_foreign_in_one_list(portals[email], seen[email], targets, f"{role}@{tenant}")
        for probe in probes:
            matrix.fields.add(probe.name)
            await run_probe(portals[email], probe, targets, f"{role}@{tenant}", matrix)

    print(
        f"\nauthorization matrix: {len(matrix.roles)} roles x {len(matrix.fields)} ID-taking fields x "
        f"{len(matrix.tenants)} tenants = {len(matrix.roles) * len(matrix.fields) * len(matrix.tenants)} cells; "
        f"{len(ACTORS)} users, {len(matrix.ids)} object ids, {matrix.probes} probes in {matrix.requests} requests; "
        f"{len(matrix.leaks)} leaks\nrequests per field: {matrix.by_field}"
    )
    assert matrix.leaks == [], "\n".join(matrix.leaks[:20])
