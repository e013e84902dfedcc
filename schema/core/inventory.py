"""The subscriber's inventory (its sub-services) from the CRM, or from Billing when the CRM cannot answer.

The CRM owns the list; Billing bills every item of it and keeps, per item, what its invoices print: the
CRM's id, kind, label, service address and day of activation. That is every field of the CRM's record, so
a list read from Billing is complete: the portal shows it without an error (nothing is missing, and the
client has nothing to do differently), and every other backend's field of each sub-service resolves as
usual, keyed by the same ids. Only when Billing fails too does the CRM's failure stand (the list is the
CRM's: the error names it).

Billing's copy can lag the CRM by whatever the provisioning flow takes to bill a new service: a service
added minutes ago may be missing from it while the CRM is down. That is the trade-off taken over listing
nothing at all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from adapters.errors import BackendError, ContractViolation, Unavailable
from adapters.ports.billing import BilledSubService
from adapters.ports.crm import SubService
from bff.core.backends import Backends

log = logging.getLogger("wispgate.graphql")


def _as_listed(billed: BilledSubService) -> SubService:
    return SubService(
        id=billed.subservice_id,
        subscriber_id=billed.subscriber_id,
        kind=billed.kind,
        label=billed.label,
        location=billed.location,
        activated_on=billed.activated_on,
    )


async def all_subservices_of(backends: Backends, subscriber_id: str) -> list[SubService]:
    """Every sub-service of the subscriber, in the CRM's order: the CRM's list, else Billing's."""
    try:
        return await backends.crm.all_subservices_of(subscriber_id)
    except (Unavailable, ContractViolation) as crm_failed:
        try:
            billed = await backends.billing.subservices_of_account(subscriber_id)
        except BackendError as billing_failed:
            log.warning("no list of sub-services: CRM %s; Billing %s", crm_failed, billing_failed)
            raise crm_failed from None
        log.warning("sub-services of %s listed from Billing: CRM %s", subscriber_id, crm_failed)
        return [_as_listed(b) for b in billed]


async def subservices_by_id(backends: Backends, ids: Sequence[str]) -> dict[str, SubService]:
    """The sub-services with these ids (unknown ids absent): the CRM's records, else Billing's."""
    try:
        return await backends.crm.subservices(ids)
    except (Unavailable, ContractViolation) as crm_failed:
        try:
            billed = await backends.billing.billed_subservices(ids)
        except BackendError as billing_failed:
            log.warning("no sub-services by id: CRM %s; Billing %s", crm_failed, billing_failed)
            raise crm_failed from None
        log.warning("%d sub-services read from Billing: CRM %s", len(ids), crm_failed)
        return {i: _as_listed(b) for i, b in billed.items()}
