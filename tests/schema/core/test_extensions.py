"""Error masking and the request limits, on the probe schema; and backend outages as the graph reports them."""

from __future__ import annotations

from decimal import Decimal

from schema.core.document import DocumentCache
from tests.harness.portal import SignIn
from tests.schema.core.probe import PROBE_LIMITS, probe_schema
from tests.schema.helpers import codes, invoices_of, payload, wallet_of
from tests.schema.queries import APPLY_WALLET, PAY_INVOICE, REDEEM, SET_AUTOPAY


async def test_unexpected_errors_are_masked_and_coded_ones_pass() -> None:
    result = await probe_schema().execute("query { boom }")
    assert result.errors is not None
    assert result.errors[0].message == "Unexpected error."
    assert result.errors[0].extensions == {"code": "INTERNAL"}
    assert "hunter2" not in str(result.errors[0].formatted)
    coded = await probe_schema().execute("query { refused }")
    assert coded.errors is not None
    assert coded.errors[0].message == "No such thing."
    assert coded.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": "x"}


async def test_limits_reject_with_their_own_message() -> None:
    schema = probe_schema()
    deep = await schema.execute("query { nested { nested { nested { nested { money } } } } }")
    assert deep.errors and "exceeds maximum operation depth" in deep.errors[0].message
    aliases = await schema.execute("query { a: money b: money c: money }")
    assert aliases.errors and "aliases" in aliases.errors[0].message
    tokens = await schema.execute("query { " + " ".join(f"f{i}: money" for i in range(40)) + " }")
    assert tokens.errors and "tokens" in tokens.errors[0].message


async def test_production_refuses_introspection_and_suggestions() -> None:
    dev = await probe_schema().execute("query { __schema { queryType { name } } }")
    assert dev.errors is None
    prod = probe_schema(production=True)
    refused = await prod.execute("query { __schema { queryType { name } } }")
    assert refused.errors and "introspection" in refused.errors[0].message.lower()
    typo = await prod.execute("query { mony }")
    assert typo.errors and "Did you mean" not in typo.errors[0].message
    typo_dev = await probe_schema().execute("query { mony }")
    assert typo_dev.errors and "Did you mean" in typo_dev.errors[0].message


async def test_repeated_documents_are_parsed_and_validated_once() -> None:
    documents = DocumentCache(PROBE_LIMITS)
    schema = probe_schema(documents=documents)
    query = "query { money nested { money } }"
    await schema.execute(query)
    parsed, hits, validated = documents.parsed, documents.hits, documents.validated
    for _ in range(3):
        assert (await schema.execute(query)).errors is None
    assert documents.hits == hits + 3
    assert documents.parsed == parsed
    # The depth/alias rules are built once per schema, so one validation serves every repeat.
    assert documents.validated == validated
    # A cached document is still refused by the limits, every time.
    deep = "query { nested { nested { nested { nested { money } } } } }"
    assert (await schema.execute(deep)).errors
    assert (await schema.execute(deep)).errors


async def test_outages_are_top_level_backend_unavailable(sign_in: SignIn) -> None:
    dana = await sign_in("it@northwind.example")
    invoice = next(i for i in await invoices_of(dana) if i["status"] == "OPEN")

    dana.transport.down.add("gateway.test")
    result = await dana.execute(PAY_INVOICE, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}})
    assert codes(result) == ["BACKEND_UNAVAILABLE"] and result["data"] is None

    dana.transport.down.add("billing.test")
    for query, variables in (
        (APPLY_WALLET, {"input": {"invoiceId": invoice["id"], "idempotencyKey": "k"}}),
        (REDEEM, {"code": "WG-GIFT-25"}),
        (SET_AUTOPAY, {"enabled": False}),
    ):
        result = await dana.execute(query, variables)
        assert codes(result) == ["BACKEND_UNAVAILABLE"], result

    dana.transport.down.clear()
    assert await wallet_of(dana) == Decimal("250.00")
    # Nothing was applied during the outage: the gift card is still there to redeem.
    redeemed = await payload(dana, REDEEM, {"code": "WG-GIFT-25"}, "redeemGiftCard")
    assert redeemed["userErrors"] == []
