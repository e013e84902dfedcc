"""Schema extensions: error masking and the limits that keep one request from costing too much.

Every entry is a class or a factory: strawberry builds fresh instances per request (shared instances leaked
execution context between concurrent requests before 0.316).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterator

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)

from adapters.errors import ContractViolation, NotFound, Unavailable
from bff.core.limits import RequestCode, check_json_value
from bff.core.redis_client import is_outage
from bff.core.settings import GraphQLLimits
from bff.core.trusted import OperationPolicy
from schema.core.cost import estimate_cost
from schema.core.document import DocumentCache, Prepared, code_parse_error
from schema.core.errors import (
    BackendUnavailable,
    BadUserInput,
    NotFoundError,
    PortalError,
    SessionStoreUnavailable,
)

log = logging.getLogger("wispgate.graphql")

ExtensionFactory = type[SchemaExtension] | Callable[[], SchemaExtension]


def should_mask_error(error: GraphQLError) -> bool:
    """Rewrite everything but our coded errors and the client's own mistakes.

    Errors without a response path come from parsing, validation or variable coercion (depth, alias and
    token limits, disabled introspection, a bad scalar): the client needs their message. Errors raised while
    resolving a field are shown only when they are `PortalError`s; backend failures are translated to
    BACKEND_UNAVAILABLE / NOT_FOUND by `PortalMaskErrors.anonymise_error`; the rest becomes INTERNAL.
    """
    if isinstance(error.original_error, PortalError):
        return False
    return error.path is not None


class PortalMaskErrors(MaskErrors):
    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error)
        # A failed backend read is cached for the request and reported at every field that needed it:
        # logged once (per request, as this extension is), not once per field.
        self._logged: set[int] = set()

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        # The one step every result passes (HTTP, WebSocket, each streamed result). Errors without a path
        # that nothing coded are graphql-core's refusals of variable values that do not fit their types.
        processed = super()._process_errors(errors)
        for error in processed:
            if error.path is None and not (error.extensions or {}).get("code"):
                error.extensions = {**(error.extensions or {}), "code": BadUserInput.code}
        return processed

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        translated: PortalError
        if isinstance(original, Unavailable | ContractViolation):
            if id(original) not in self._logged:
                self._logged.add(id(original))
                log.warning("backend failure at %s: %s", error.path, original)
            translated = BackendUnavailable(backend=original.backend)
        elif isinstance(original, NotFound):
            translated = NotFoundError()
        elif original is not None and is_outage(original):
            log.warning("session store unavailable at %s: %s", error.path, type(original).__name__)
            translated = SessionStoreUnavailable()
        else:
            log.error("unexpected error at %s", error.path, exc_info=original)
            translated = PortalError()
        return GraphQLError(
            message=translated.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            original_error=None,
            extensions=translated.extensions,
        )


class DocumentCheck(SchemaExtension):
    """Parse, budget and validate through the schema's `DocumentCache`, and check the variables' size.

    HTTP requests were checked by the view already (and refused with HTTP 400): this finds their documents
    cached. WebSocket operations and in-process `schema.execute` calls get the same checks here, as GraphQL
    errors. A document the cache could not parse is left to strawberry, which parses it again to report the
    error its own way (a syntax error closes a WebSocket with 4400); the code is added after."""

    def __init__(self, documents: DocumentCache, policy: OperationPolicy | None = None) -> None:
        self._documents = documents
        self._policy = policy
        self._prepared: Prepared | None = None

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is None:
            self._prepared = self._documents.prepare(context.query)
            context.graphql_document = self._prepared.document
        yield
        for error in context.pre_execution_errors or ():
            code_parse_error(error)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        prepared = self._prepared
        # Setting the errors (even []) before yielding is what tells strawberry not to validate again.
        if prepared is not None and prepared.document is context.graphql_document:
            if prepared.refusal is not None:
                context.pre_execution_errors = [prepared.refusal]
            elif refusal := check_json_value(context.variables, self._documents.limits):
                code = refusal.code.value
                context.pre_execution_errors = [GraphQLError(refusal.message, extensions={"code": code})]
            else:
                context.pre_execution_errors = self._documents.validate(
                    prepared, context.schema._schema, context.validation_rules
                ) or self._over_cost(prepared)
        yield

    def _over_cost(self, prepared: Prepared) -> list[GraphQLError]:
        """A valid document outside the trusted manifests, when the policy limits such documents' cost: its
        estimate (`schema.core.cost`) against the limit, with this request's variables."""
        context = self.execution_context
        policy = self._policy
        if policy is None or context.query is None or not policy.costed(context.query):
            return []
        assert prepared.document is not None
        cost = estimate_cost(
            context.schema._schema, prepared.document, context.operation_name, context.variables
        )
        if cost <= policy.cost_limit:
            return []
        message = (
            f"The operation's estimated cost is {cost}, more than the limit of {policy.cost_limit}: ask for "
            "fewer items per list (`first`) or fewer nested lists."
        )
        code = RequestCode.COST_LIMIT_EXCEEDED.value
        return [GraphQLError(message, extensions={"code": code, "cost": cost, "limit": policy.cost_limit})]


def validation_rules(limits: GraphQLLimits, *, introspection: bool) -> list[type[ASTValidationRule]]:
    """The depth, alias and introspection rules, built ONCE per schema. strawberry's limiters make a new rule
    class per extension instance, i.e. per request, which makes every validation-cache key unique; rule
    classes hold no state (graphql-core instantiates them per validation), so sharing them is safe."""
    rules: list[type[ASTValidationRule]] = [
        *QueryDepthLimiter(max_depth=limits.max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules,
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


def schema_extensions(
    limits: GraphQLLimits,
    *,
    introspection: bool,
    documents: DocumentCache | None = None,
    policy: OperationPolicy | None = None,
) -> list[ExtensionFactory]:
    """The extensions of one schema. `documents` is that schema's cache (the HTTP view shares it); one per
    schema, because its validation results hold for that schema's rules only."""
    rules = validation_rules(limits, introspection=introspection)
    documents = documents if documents is not None else DocumentCache(limits)
    return [
        # The token limit for the parse strawberry does itself (a document the cache could not parse).
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        functools.partial(AddValidationRules, rules),
        # Parsing and validating a dashboard-sized document costs ~1.5 ms and clients send the same few
        # documents over and over: both happen once per document text (schema/core/document.py).
        # With `policy`: the cost limit of documents outside the trusted manifests.
        functools.partial(DocumentCheck, documents, policy),
        # Last, so that it sees (and masks) errors produced by everything above.
        PortalMaskErrors,
    ]
