"""Each mutation's errors have a type and a code enum of their own, and each enum lists what really happens.
(A code no enum lists: `test_unknown_codes.py`.)

That a resolver cannot answer a code its enum lacks is checked by mypy, not here: `CodedError.of` (and
every helper in `schema.core.mutation`) accepts only members of the error's own enum.
"""

from __future__ import annotations

import ast
import logging
import re
from enum import Enum
from pathlib import Path
from typing import Any

import pytest
import yaml
from graphql import GraphQLEnumType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, get_named_type
from graphql import build_schema as parse_sdl

from schema.core.errors import known_code
from schema.export import export_sdl
from tests.schema.helpers import error_enums

ROOT = Path(__file__).resolve().parents[2]

# ------------------------------------------------------------------------------------------ the SDL's shape


@pytest.fixture(scope="module")
def sdl() -> GraphQLSchema:
    return parse_sdl(export_sdl())


def members(schema: GraphQLSchema, mutation: str) -> set[str]:
    return set(error_enums(schema)[mutation].values)


def test_every_payload_has_an_error_type_and_a_code_enum_of_its_own(sdl: GraphQLSchema) -> None:
    assert sdl.mutation_type is not None
    interface = sdl.get_type("UserError")
    assert isinstance(interface, GraphQLInterfaceType)
    assert set(interface.fields) == {"field", "message"}
    without = []
    for name, field in sdl.mutation_type.fields.items():
        payload = get_named_type(field.type)
        assert isinstance(payload, GraphQLObjectType)
        if "userErrors" not in payload.fields:
            without.append(name)
            continue
        error_name = f"{name[0].upper()}{name[1:]}Error"
        assert str(payload.fields["userErrors"].type) == f"[{error_name}!]!", name
        error = sdl.get_type(error_name)
        assert isinstance(error, GraphQLObjectType)
        assert list(error.interfaces) == [interface]
        assert set(error.fields) == {"field", "message", "code"}
        assert str(error.fields["code"].type) == f"{error_name}Code!"
        # The mutation's description points at its enum instead of listing codes in prose.
        assert f"`{error_name}Code`" in (field.description or ""), name
        assert "Codes:" not in (field.description or "")
    # Both answer whatever happened (`ok`, how many sessions ended): nothing to refuse.
    assert without == ["logout", "signOutEverywhere"]


def test_every_member_says_when_it_happens(sdl: GraphQLSchema) -> None:
    enums = error_enums(sdl)
    assert len({e.name for e in enums.values()}) == len(enums)  # no two mutations share an enum
    for mutation, enum in enums.items():
        assert enum.description, mutation
        undocumented = [name for name, value in enum.values.items() if not value.description]
        assert not undocumented, (mutation, undocumented)


def test_no_error_code_is_a_free_string(sdl: GraphQLSchema) -> None:
    for type_ in sdl.type_map.values():
        if isinstance(type_, GraphQLObjectType) and type_.name.endswith("Error"):
            assert isinstance(get_named_type(type_.fields["code"].type), GraphQLEnumType), type_.name


# ------------------------------------------------------------------ the enums list what really happens

# Billing's calls and the codes their contract documents (409/422 in the operation's description).
CONTRACT = {
    "billingApplyWallet": "applyWalletToInvoice",
    "billingRedeemGiftCard": "redeemGiftCard",
    "billingRenewSubService": "renewService",
    "billingRemovePaymentMethod": "removePaymentMethod",
    "billingSetAutopay": "setAutopay",
    "crmChangePassword": "changePassword",
    "crmCompletePasswordReset": "resetPassword",
    "crmConfirmTotp": "confirmTotpEnrolment",
    "crmDisableTotp": "disableTotp",
}
# Mutations that pass a backend's refusal through (`schema.core.mutation.refusal`): a code their enum does
# not list becomes REFUSED.
PASSED_THROUGH = {
    "setWifiSettings",
    "rebootDevice",
    "applyWalletToInvoice",
    "changePlan",
    "buyAddOn",
    "redeemGiftCard",
    "renewService",
    "removePaymentMethod",
    "setDefaultPaymentMethod",
    "setAutopay",
    "markNotificationsRead",
    "openTicket",
    "replyToTicket",
    "closeTicket",
    "reopenTicket",
    "rateTicket",
    "setLocale",
    "updateContactDetails",
    "updateMyContactDetails",
    "setNotificationPreferences",
}
# Codes translated by name from `bff.core` (which cannot know the schema's enums): each flow's exact set.
CHECKOUT_SHARED = {"NOT_FOUND", "RETURN_URL_NOT_ALLOWED", "IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_CONFLICT"}
# sandbox/crm/service/passwords.py: check_policy
PASSWORD_POLICY = {"PASSWORD_TOO_SHORT", "PASSWORD_TOO_LONG", "PASSWORD_IS_EMAIL", "PASSWORD_TOO_COMMON"}
FLOWS = {
    # bff.core.payments.checkout: start_invoice_payment, start_wallet_topup, start_card_setup; and
    # schema.core.mutation.checkout_or_error (GATEWAY_UNAVAILABLE for a gateway refusal).
    # GATEWAY_NOT_OFFERED: `gateway` names one GATEWAYS does not (the two mutations PayPal pays).
    "payInvoice": {
        *CHECKOUT_SHARED,
        "ALREADY_PAID",
        "INVOICE_VOID",
        "GATEWAY_UNAVAILABLE",
        "GATEWAY_NOT_OFFERED",
    },
    "payInvoices": {
        *CHECKOUT_SHARED,
        "ALREADY_PAID",
        "INVOICE_VOID",
        "NO_INVOICES",
        "TOO_MANY_INVOICES",
        "DUPLICATE_INVOICE",
        "SELECTION_INVALID",
        "MIXED_CURRENCIES",
        "GATEWAY_UNAVAILABLE",
    },
    "topUpWallet": {*CHECKOUT_SHARED, "AMOUNT_INVALID", "GATEWAY_UNAVAILABLE", "GATEWAY_NOT_OFFERED"},
    "addPaymentMethod": {*CHECKOUT_SHARED, "GATEWAY_UNAVAILABLE"},
    # bff.core.auth.service: AuthService.login and AuthService.refresh
    "login": {"INVALID_CREDENTIALS", "USER_DISABLED", "RATE_LIMITED"},
    "refreshSession": {"INVALID_REFRESH_TOKEN", "USER_DISABLED"},
    # bff.core.auth.login_email: LoginEmail.request and .complete
    "requestLoginEmailChange": {
        "INVALID_CREDENTIALS",
        "INVALID_EMAIL",
        "EMAIL_TOO_LONG",
        "EMAIL_UNCHANGED",
        "EMAIL_TAKEN",
        "RATE_LIMITED",
    },
    "confirmLoginEmailChange": {"INVALID_TOKEN", "EMAIL_TAKEN"},
    # AuthService.verify_second_factor
    "verifySecondFactor": {"INVALID_CHALLENGE", "INVALID_CODE", "RATE_LIMITED", "USER_DISABLED"},
    # bff.core.auth.credentials: the CRM's codes by name, and RATE_LIMITED of its own
    "changePassword": {"INVALID_CREDENTIALS", "PASSWORD_UNCHANGED", *PASSWORD_POLICY, "RATE_LIMITED"},
    "resetPassword": {"INVALID_TOKEN", *PASSWORD_POLICY, "RATE_LIMITED"},
    "requestPasswordReset": {"RATE_LIMITED"},
    "confirmTotpEnrolment": {"INVALID_CODE", "NOT_ENROLLING", "ALREADY_ENABLED", "RATE_LIMITED"},
    "disableTotp": {"INVALID_CREDENTIALS", "NOT_ENABLED", "RATE_LIMITED"},
    # bff.core.team: TeamFailure
    "inviteTeamMember": {
        "EMAIL_TAKEN",
        "INVALID_EMAIL",
        "NOT_ALLOWED",
        "SITE_REQUIRED",
        "SITE_NOT_FOUND",
        "RATE_LIMITED",
    },
    "changeTeamMember": {"NOT_FOUND", "NOT_ALLOWED", "SELF", "SITE_REQUIRED", "SITE_NOT_FOUND"},
    "disableTeamMember": {"NOT_FOUND", "NOT_ALLOWED", "SELF"},
    "removeTeamMember": {"NOT_FOUND", "NOT_ALLOWED", "SELF"},
}


def _operations() -> dict[str, dict[str, Any]]:
    spec = yaml.safe_load((ROOT / "adapters/wispgate/openapi.yaml").read_text(encoding="utf-8"))
    return {
        op["operationId"]: op
        for path in spec["paths"].values()
        for op in path.values()
        if isinstance(op, dict) and "operationId" in op
    }


@pytest.mark.parametrize(("operation", "mutation"), sorted(CONTRACT.items()))
def test_each_enum_lists_the_refusals_its_billing_call_documents(
    sdl: GraphQLSchema, operation: str, mutation: str
) -> None:
    documented = set(re.findall(r"\b4(?:09|22) ([A-Z][A-Z0-9_]+)", _operations()[operation]["description"]))
    assert documented, f"{operation} documents no codes"
    assert documented <= members(sdl, mutation)


def test_passed_through_refusals_have_a_generic_member(sdl: GraphQLSchema) -> None:
    enums = error_enums(sdl)
    assert {m for m, e in enums.items() if "REFUSED" in e.values} == PASSED_THROUGH


@pytest.mark.parametrize("mutation", sorted(FLOWS))
def test_the_codes_translated_by_name_are_exactly_the_enum(sdl: GraphQLSchema, mutation: str) -> None:
    assert members(sdl, mutation) == FLOWS[mutation]


@pytest.mark.parametrize(
    ("source", "exception"),
    [
        ("bff/core/payments/checkout.py", "PaymentError"),
        ("bff/core/auth/service.py", "AuthFailure"),
        ("bff/core/auth/credentials.py", "AuthFailure"),
        ("bff/core/team.py", "TeamFailure"),
        ("bff/core/auth/login_email.py", "AuthFailure"),
    ],
)
def test_every_code_bff_core_raises_has_a_member(source: str, exception: str) -> None:
    # A new `PaymentError("…")` or `AuthFailure("…")` must reach some enum, or clients would see the
    # fallback member instead.
    tree = ast.parse((ROOT / source).read_text(encoding="utf-8"))
    raised = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == exception
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    assert raised
    assert raised <= set().union(*FLOWS.values())


class _Codes(Enum):
    KNOWN = "KNOWN"
    REFUSED = "REFUSED"


def test_known_code_maps_by_name_and_logs_what_it_does_not_know(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="wispgate.graphql"):
        assert known_code("KNOWN", _Codes.REFUSED, source="billing") is _Codes.KNOWN
        assert not caplog.records
        assert known_code("ACCOUNT_FROZEN", _Codes.REFUSED, source="billing") is _Codes.REFUSED
    [record] = caplog.records
    assert "ACCOUNT_FROZEN" in record.getMessage() and "_Codes" in record.getMessage()
