"""What one GraphQL request may weigh: the codes of refused requests, and the check of decoded JSON values
(variables, extensions) against their limits.

A refusal is a plain HTTP answer in the GraphQL error shape (`{"errors": [{"message", "extensions":
{"code"}}]}`), given before anything costly runs: no credential lookup, no parsing, no validation. The codes
are a contract with client developers (docs/errors.md); never rename one.
"""

from __future__ import annotations

from enum import StrEnum

from bff.core.settings import GraphQLLimits


class RequestCode(StrEnum):
    """Why a request was refused before any operation ran."""

    BAD_REQUEST = "BAD_REQUEST"  # not a GraphQL-over-HTTP request: the message says what is wrong
    REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"  # the body is over the limit for its content type (413)
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # neither application/json nor multipart (415)
    VARIABLES_TOO_LARGE = "VARIABLES_TOO_LARGE"  # too many values, nested too deep, or a list too long
    QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"  # over the selection or field-overlap budget, or the token limit
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"  # the document is not valid GraphQL syntax
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"  # valid syntax, but not valid for this schema
    NOT_FOUND = "NOT_FOUND"  # GET /graphql for the GraphiQL page where there is none (production)
    PERSISTED_DOCUMENT_NOT_FOUND = "PERSISTED_DOCUMENT_NOT_FOUND"  # a document id no manifest holds
    OPERATION_NOT_ALLOWED = "OPERATION_NOT_ALLOWED"  # a document's text that no manifest holds (production)
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"  # an untrusted document's estimated cost is over the limit
    OVERLOADED = "OVERLOADED"  # MAX_IN_FLIGHT requests in flight already: 503 with Retry-After, nothing read


class Refusal(Exception):
    """A request answered with `status` and one coded error instead of being run."""

    def __init__(
        self, status: int, code: RequestCode, message: str, *, locations: list[dict[str, int]] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.locations = locations  # where in the document, for a document refused as it was parsed

    def payload(self) -> dict[str, object]:
        error: dict[str, object] = {"message": self.message}
        if self.locations:
            error["locations"] = self.locations
        error["extensions"] = {"code": self.code.value}
        return {"errors": [error]}


def check_json_value(value: object, limits: GraphQLLimits, *, what: str = "variables") -> Refusal | None:
    """Why the decoded JSON `value` (the variables, or the extensions) cannot be accepted, or None.

    Iterative, and it stops at the first excess: a list is refused by its length before any item is looked at,
    and nothing is pushed past the value limit, so the check costs at most `max_variable_values` steps whatever
    the client sent. graphql-core's coercion and `copy.deepcopy` (multipart uploads) are recursive: they must
    never see anything deeper than this allows."""
    too_large = RequestCode.VARIABLES_TOO_LARGE if what == "variables" else RequestCode.BAD_REQUEST
    values = 0
    stack: list[tuple[object, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        values += 1
        if isinstance(item, str):
            if not encodable(item):
                return Refusal(
                    400, RequestCode.BAD_REQUEST, f"The {what} hold a string with a lone UTF-16 surrogate."
                )
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > limits.max_variable_depth:
            return Refusal(
                400, too_large, f"The {what} are nested deeper than {limits.max_variable_depth} levels."
            )
        if isinstance(item, list) and len(item) > limits.max_variable_list:
            return Refusal(
                400, too_large, f"A list in the {what} has more than {limits.max_variable_list} items."
            )
        # Refused before anything is pushed, so the stack never holds more than the limit.
        if values + len(stack) + len(item) > limits.max_variable_values:
            return Refusal(400, too_large, f"The {what} hold more than {limits.max_variable_values} values.")
        if isinstance(item, list):
            stack.extend((member, depth + 1) for member in item)
        else:
            for key, member in item.items():
                if not encodable(key):
                    return Refusal(
                        400, RequestCode.BAD_REQUEST, f"The {what} hold a key with a lone UTF-16 surrogate."
                    )
                stack.append((member, depth + 1))
    return None


def encodable(text: str) -> bool:
    """JSON's `\\ud800` escapes decode to strings that cannot be encoded again (to a backend, a log, a hash)."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True
