"""A document is parsed and validated once, and only after a budget check that graphql-core's quadratic rule
cannot outrun.

graphql-core's OverlappingFieldsCanBeMerged compares every pair of same-named fields in a selection set, and
their sub-selections pair by pair: 1,238 copies of one field (20 KB, under the token limit) cost 1.1–1.7 s of
CPU, 200 copies of `node(id: "x") { id }` (4 KB) about 1 s. So `measure` first walks the parsed document once,
without recursion, and counts what validation would have to look at:
- selections (fields, inline fragments, fragment spreads), each spread counted at the size of what it brings
  in: a few fragments spreading each other ten times over expand to thousands;
- pairs of fields that share a response name in one selection set, with fragments and inline fragments merged
  into the set they are spread in and same-named fields' sub-selections merged level by level (the pairs the
  rule compares).
The walk stops at the first excess, so it costs at most `max_selections` steps; a document over either budget
is refused with QUERY_TOO_COMPLEX and never validated.

`DocumentCache` keeps what became of each document, keyed by a hash of its text. The `operationName` a request
sends is not part of the key: varying it finds the same entry. (An operation name written inside the text is
part of the text: a new name is a new document, which costs at most one budgeted parse and validation.)
strawberry's ParserCache and ValidationCache are not used: the latter hashes the whole syntax tree on every
request, and both count entries, not size. A parsed document holds ~50–130 bytes per character of its text
(every token stays linked), so 512 cached 5,000-token documents would hold ~1.5 GB; this cache is bounded by
the total length of the texts it holds as well.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from strawberry.schema.schema import validate_document

from bff.core.limits import RequestCode
from bff.core.settings import GraphQLLimits

CACHE_ENTRIES = 512
CACHE_TEXT_CHARS = 512 * 1024  # ~25–65 MB of syntax trees at most; the web's documents total ~60 KB
# graphql-core ends the message of each of its own parse limits (token count, nesting) with this.
_PARSE_LIMIT = "Parsing aborted."

_Group = list[tuple[SelectionSetNode, frozenset[str]]]


def measure(document: DocumentNode, limits: GraphQLLimits) -> str | None:
    """Why `document` is over the validation budget, or None. Every operation and fragment definition is a
    root (validation visits each); within a root every fragment spread is expanded, except one of a fragment
    already being expanded on that path (a cycle, which validation then reports)."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    groups: list[_Group] = [
        [(d.selection_set, frozenset())]
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    ]
    # Every fragment definition, a duplicate name included (validation visits each), is a root already inside
    # that fragment.
    groups.extend(
        [(d.selection_set, frozenset({d.name.value}))]
        for d in document.definitions
        if isinstance(d, FragmentDefinitionNode)
    )
    selections = 0
    pairs = 0
    while groups:
        # One group: the selection sets whose fields merge into one response object.
        pending = groups.pop()
        counts: dict[str, int] = {}
        children: dict[str, _Group] = {}
        while pending:
            selection_set, path = pending.pop()
            selections += len(selection_set.selections)
            if selections > limits.max_selections:
                return (
                    f"The document has more than {limits.max_selections} selections, counting each "
                    "fragment where it is spread."
                )
            for selection in selection_set.selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    counts[key] = counts.get(key, 0) + 1
                    if selection.selection_set is not None:
                        children.setdefault(key, []).append((selection.selection_set, path))
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = fragments.get(name)
                    if fragment is not None and name not in path:
                        pending.append((fragment.selection_set, path | {name}))
                elif isinstance(selection, InlineFragmentNode):
                    pending.append((selection.selection_set, path))
        pairs += sum(count * (count - 1) // 2 for count in counts.values())
        if pairs > limits.max_field_pairs:
            return (
                f"The document repeats fields too often: more than {limits.max_field_pairs} pairs of "
                "same-named fields in one selection set would have to be compared."
            )
        groups.extend(children.values())
    return None


@dataclass(slots=True)
class Prepared:
    """What became of one document text."""

    document: DocumentNode | None  # None: it does not parse
    refusal: (
        GraphQLError | None
    )  # the parse error or the budget's refusal; such a document is never validated
    errors: list[GraphQLError] | None = None  # its validation errors, once validated ([]: valid)


class DocumentCache:
    """Parse, budget and validation results by document text, shared by every request to one schema (the HTTP
    view prepares a document before strawberry runs; `DocumentCheck` finds it here)."""

    def __init__(
        self, limits: GraphQLLimits, *, entries: int = CACHE_ENTRIES, text_chars: int = CACHE_TEXT_CHARS
    ) -> None:
        self.limits = limits
        self._max_entries = entries
        self._max_chars = text_chars
        self._chars = 0
        self._entries: OrderedDict[bytes, tuple[Prepared, int]] = OrderedDict()
        # Counters for tests and benchmarks.
        self.hits = 0
        self.parsed = 0
        self.validated = 0

    def prepare(self, text: str) -> Prepared:
        # `surrogatepass`: JSON may carry lone surrogates; they fail the parse, not the hash.
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]
        prepared = self._prepare(text)
        self._keep(key, prepared, len(text))
        return prepared

    def validate(
        self, prepared: Prepared, schema: GraphQLSchema, rules: Sequence[type[ASTValidationRule]]
    ) -> list[GraphQLError]:
        """The validation errors of a prepared document within budget, each coded GRAPHQL_VALIDATION_FAILED.
        The rules must be the same on every call: they are those of the one schema this cache belongs to."""
        assert prepared.document is not None and prepared.refusal is None
        if prepared.errors is None:
            self.validated += 1
            errors = validate_document(schema, prepared.document, tuple(rules))
            for error in errors:
                error.extensions = {
                    **(error.extensions or {}),
                    "code": RequestCode.GRAPHQL_VALIDATION_FAILED.value,
                }
            prepared.errors = errors
        return list(prepared.errors)

    def _prepare(self, text: str) -> Prepared:
        self.parsed += 1
        try:
            document = parse(text, max_tokens=self.limits.max_tokens)
        except GraphQLError as error:
            code_parse_error(error)
            return Prepared(None, error)
        reason = measure(document, self.limits)
        if reason is not None:
            return Prepared(
                document, GraphQLError(reason, extensions={"code": RequestCode.QUERY_TOO_COMPLEX.value})
            )
        return Prepared(document, None)

    def _keep(self, key: bytes, prepared: Prepared, chars: int) -> None:
        if chars > self._max_chars:
            return
        self._entries[key] = (prepared, chars)
        self._chars += chars
        while len(self._entries) > self._max_entries or self._chars > self._max_chars:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._chars -= dropped


def code_parse_error(error: GraphQLError) -> None:
    """Give a parse error its code: graphql-core's own limits (too many tokens, nested too deeply) are the
    document being too big, not its syntax."""
    code = (
        RequestCode.QUERY_TOO_COMPLEX
        if error.message.endswith(_PARSE_LIMIT)
        else RequestCode.GRAPHQL_PARSE_FAILED
    )
    error.extensions = {**(error.extensions or {}), "code": code.value}
