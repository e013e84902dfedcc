"""Schema extensions: error masking and the limits that keep one request from costing too much.

Every entry is a class or a factory: strawberry builds fresh instances per request (shared instances leaked
execution context between concurrent requests before 0.316).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from graphql import ASTValidationRule, GraphQLError, NoSchemaIntrospectionCustomRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

from adapters.errors import ContractViolation, NotFound, Unavailable
from bff.core.settings import GraphQLLimits
from schema.core.errors import BackendUnavailable, NotFoundError, PortalError

log = logging.getLogger("wispgate.graphql")

CACHE_SIZE = 512
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

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        original = error.original_error
        translated: PortalError
        if isinstance(original, Unavailable | ContractViolation):
            log.warning("backend failure at %s: %s", error.path, original)
            translated = BackendUnavailable(backend=original.backend)
        elif isinstance(original, NotFound):
            translated = NotFoundError()
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


def schema_extensions(limits: GraphQLLimits, *, introspection: bool) -> list[ExtensionFactory]:
    rules = validation_rules(limits, introspection=introspection)
    return [
        functools.partial(MaxTokensLimiter, max_token_count=limits.max_tokens),
        # Parsing and validating a dashboard-sized document costs ~1.5 ms and clients send the same few
        # documents over and over. The caches key on everything that affects the result (the token limit
        # among the parse options; the schema, document and rules), so a cache hit never skips a limit.
        functools.partial(ParserCache, maxsize=CACHE_SIZE),
        functools.partial(AddValidationRules, rules),
        functools.partial(ValidationCache, maxsize=CACHE_SIZE),
        # Last, so that it sees (and masks) errors produced by everything above.
        PortalMaskErrors,
    ]
