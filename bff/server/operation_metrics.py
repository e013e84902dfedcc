"""The schema extension that times every GraphQL query and mutation and counts its errors by code, into
`bff.core.metrics`; when tracing, it also names the request's span after the operation.

The operation's name is believed only when its document parsed and validated, and only as written in the
document (an `operationName` the document does not contain is not a name): everything else is "unknown".
Subscriptions are not timed (they last as long as the connection).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from graphql import GraphQLError, OperationType, get_operation_ast
from strawberry.extensions import SchemaExtension
from strawberry.types.execution import PreExecutionError

from bff.core.metrics import UNKNOWN, Metrics
from bff.core.tracing import Tracing


def _code(error: GraphQLError) -> str:
    extensions = error.extensions or {}
    code = extensions.get("code")
    if isinstance(code, str):
        return code
    # No code: a parse or validation error (no path) or something unexpected while resolving.
    return "GRAPHQL_VALIDATION_FAILED" if error.path is None else "INTERNAL"


class OperationMetrics(SchemaExtension):
    def __init__(self, *, metrics: Metrics, tracing: Tracing | None = None) -> None:
        super().__init__()
        self.metrics = metrics
        self.tracing = tracing

    def on_operation(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        ec = self.execution_context
        operation, kind = UNKNOWN, "unknown"
        document = ec.graphql_document
        if document is not None and not isinstance(ec.result, PreExecutionError):
            definition = get_operation_ast(document, ec.operation_name)
            if definition is not None:
                kind = definition.operation.value
                operation = self.metrics.operation_label(definition.name.value if definition.name else None)
                if definition.operation is OperationType.SUBSCRIPTION:
                    return
        result = ec.result
        errors = getattr(result, "errors", None) or []
        self.metrics.operation_finished(
            operation, kind, time.perf_counter() - started, [_code(e) for e in errors]
        )
        if self.tracing is not None and operation != UNKNOWN:
            self.tracing.name_operation(f"{kind} {operation}")
