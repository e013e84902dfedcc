"""The web portal's trusted documents (`schema/trusted-documents.json`) against the schema: each is valid for
the production schema, within the request limits, one operation, and cheaper than the cost limit an open API
applies to everyone else's. (The web's own test, `web/src/api/trustedDocuments.test.ts`, fails when this file
drifts from the web's operations.)"""

from __future__ import annotations

import json

from graphql import OperationDefinitionNode

from bff.core.settings import DEFAULT_QUERY_COST_LIMIT, GraphQLLimits
from bff.core.trusted import TrustedDocuments
from schema.build import TRUSTED_DOCUMENTS_PATH, build_schema
from schema.core.cost import estimate_cost
from schema.core.document import DocumentCache
from schema.core.extensions import validation_rules

# The largest page the web asks for (`first: 100`, sub-services on the invoices and installments pages).
WEB_LARGEST_PAGE = 100


def test_every_trusted_document_runs_on_the_production_schema() -> None:
    trusted = TrustedDocuments.load([TRUSTED_DOCUMENTS_PATH])  # every id checked against its text
    manifest = json.loads(TRUSTED_DOCUMENTS_PATH.read_text())
    assert len(trusted) == len(manifest) > 20
    schema = build_schema()._schema
    limits = GraphQLLimits()
    cache = DocumentCache(limits)
    rules = validation_rules(limits, introspection=False)
    costs: dict[str, int] = {}
    for text in manifest.values():
        prepared = cache.prepare(text)
        assert prepared.refusal is None, (text, prepared.refusal)
        assert cache.validate(prepared, schema, rules) == [], text
        assert prepared.document is not None
        [operation] = [d for d in prepared.document.definitions if isinstance(d, OperationDefinitionNode)]
        assert operation.name is not None
        variables = {v.variable.name.value: WEB_LARGEST_PAGE for v in operation.variable_definitions or ()}
        costs[operation.name.value] = estimate_cost(schema, prepared.document, None, variables)
    costliest = max(costs.values())
    print(f"web operations: {len(costs)}; costliest {costliest} ({max(costs, key=costs.__getitem__)})")
    assert costliest * 2 <= DEFAULT_QUERY_COST_LIMIT
