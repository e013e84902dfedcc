"""`HttpBilling` against the real Billing sandbox, in-process over ASGITransport, one fresh database per test."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from adapters.errors import NotFound, Rejected
from adapters.ports.billing import BillingPort
from adapters.ports.money import Money
from adapters.wispgate.billing import HttpBilling
from adapters.wispgate.client import BackendConfig, CoreClient, make_http_client
from adapters.wispgate.crm import HttpCrm
from sandbox.billing.system import BillingSystem
from sandbox.common.system import SystemConfig
from sandbox.crm.system import CrmSystem
from sandbox.world import World, with_bench_subscriber

KEY = "svc"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), "USD")


async def _billing(tmp_path: Path, world: World) -> AsyncIterator[BillingPort]:
    system = BillingSystem(
        SystemConfig(db_path=str(tmp_path / "billing.sqlite3"), service_key=KEY), today=world.today
    )
    system.seed(world)
    config = BackendConfig(base_url="http://billing.test", api_key=KEY)
    async with make_http_client(config, transport=httpx.ASGITransport(app=system.asgi())) as http:
        yield HttpBilling(CoreClient("billing", http))


@pytest.fixture
async def billing(tmp_path: Path, world: World) -> AsyncIterator[BillingPort]:
    async for port in _billing(tmp_path, world):
        yield port


async def ana_open_invoice_id(billing: BillingPort) -> str:
    found = await billing.invoices_for_subscribers(["SUB-1001"], status="OPEN")
    return found["SUB-1001"][0].id


async def test_accounts(billing: BillingPort, today: date) -> None:
    accounts = await billing.accounts(["SUB-1001", "SUB-NOPE"])
    assert set(accounts) == {"SUB-1001"}
    ana = accounts["SUB-1001"]
    assert ana.outstanding == usd("92.97") and ana.overdue == usd("0.00")
    assert ana.next_due_on == today + timedelta(days=5)
    assert ana.wallet_balance == usd("5.00")
    assert ana.cycle.next_invoice_on == date(2026, 12, 1)
    assert ana.invoice_mode == "CONSOLIDATED" and ana.autopay is False
    # What invoices print about the holder (copies of the CRM's): the portal's fallback when the CRM is down.
    assert (ana.account_number, ana.name, ana.address) == (
        "WG-100101",
        "Ana Lima",
        "12 Orchard Lane, Springfield",
    )


async def test_subservice_billing(billing: BillingPort, today: date) -> None:
    found = await billing.subservice_billing(["SS-1001-1", "SS-1003-2"])
    assert found["SS-1001-1"].monthly_charge == usd("54.99")
    assert [line.description for line in found["SS-1001-1"].charge_lines] == ["Fiber 300", "Static IP"]
    assert found["SS-1001-1"].outstanding == usd("64.99")
    voip = found["SS-1003-2"]
    assert voip.prepaid and voip.cycle is None
    assert voip.expires_at == datetime.combine(today + timedelta(days=10), datetime.min.time(), tzinfo=UTC)


async def test_billed_subservices_agree_with_the_crm(tmp_path: Path, world: World) -> None:
    """Billing's list of an account's sub-services is the CRM's (ids, order, kind, label, location, day of
    activation): the portal lists it instead when the CRM is down. Both seeded from one world."""
    bench = with_bench_subscriber(world, 30)
    crm_system = CrmSystem(SystemConfig(db_path=str(tmp_path / "crm.sqlite3")), attachments_dir=tmp_path)
    crm_system.seed(bench)
    config = BackendConfig(base_url="http://crm.test", api_key=crm_system.config.service_key)
    async with make_http_client(config, transport=httpx.ASGITransport(app=crm_system.asgi())) as http:
        crm = HttpCrm(CoreClient("crm", http))
        async for billing in _billing(tmp_path, bench):
            for subscriber in bench.subscribers:
                listed = await crm.all_subservices_of(subscriber.id)
                billed = await billing.subservices_of_account(subscriber.id)
                assert [
                    (b.subservice_id, b.subscriber_id, b.kind, b.label, b.location, b.activated_on)
                    for b in billed
                ] == [(c.id, c.subscriber_id, c.kind, c.label, c.location, c.activated_on) for c in listed]
                assert listed, subscriber.id
            by_id = await billing.billed_subservices(["SS-1003-2", "SS-NOPE", "SS-1001-1"])
            assert set(by_id) == {"SS-1001-1", "SS-1003-2"}
            assert by_id["SS-1001-1"].plan == "Fiber 300" and by_id["SS-1003-2"].kind == "VOIP"
            with pytest.raises(NotFound):
                await billing.subservices_of_account("SUB-NOPE")
    crm_system.db.close()


async def test_invoices_single_batch_and_grouped(billing: BillingPort) -> None:
    by_sub = await billing.invoices_for_subscribers(["SUB-1001", "SUB-NOPE"])
    assert [i.status for i in by_sub["SUB-1001"]] == ["OPEN", "PAID", "PAID", "PAID"] and by_sub[
        "SUB-NOPE"
    ] == []
    current = by_sub["SUB-1001"][0]
    assert current.total == usd("92.97") and current.balance == usd("92.97")
    assert current.subservice_ids == ("SS-1001-1", "SS-1001-2")
    assert await billing.invoice(current.id) == current
    batch = await billing.invoices([current.id, "inv_nope"])
    assert list(batch) == [current.id]
    by_ss = await billing.invoices_for_subservices(["SS-1001-2", "SS-3001-101"], status="OPEN")
    assert [i.id for i in by_ss["SS-1001-2"]] == [current.id]
    assert [i.subservice_id for i in by_ss["SS-3001-101"]] == ["SS-3001-101"]
    with pytest.raises(NotFound):
        await billing.invoice("inv_nope")


async def test_pdfs(billing: BillingPort) -> None:
    invoice_id = await ana_open_invoice_id(billing)
    assert (await billing.invoice_pdf(invoice_id)).startswith(b"%PDF")
    assert (await billing.statement_pdf("SUB-2001", ["SS-2001-1"])).startswith(b"%PDF")
    assert (await billing.statement_pdf("SUB-2001")).startswith(b"%PDF")
    with pytest.raises(Rejected):
        await billing.statement_pdf("SUB-2001", ["SS-1001-1"])


async def test_wallet_reads(billing: BillingPort) -> None:
    assert await billing.wallet_balances(["SUB-2001", "SUB-1003", "NOPE"]) == {
        "SUB-2001": usd("250.00"),
        "SUB-1003": usd("20.00"),
    }
    page = await billing.wallet_transactions("SUB-2001", limit=5)
    assert (
        [t.kind for t in page.items] == ["OVERPAYMENT"] and page.total_count == 1 and page.next_cursor is None
    )
    assert page.items[0].created_at.tzinfo is not None


async def test_record_payment_idempotent_with_overpayment(billing: BillingPort) -> None:
    invoice_id = await ana_open_invoice_id(billing)
    first = await billing.record_payment(
        external_ref="gw-1", invoice_id=invoice_id, amount=usd("100.00"), method="GATEWAY"
    )
    assert first.invoice.status == "PAID" and first.wallet_credit == usd("7.03") and not first.duplicate
    again = await billing.record_payment(
        external_ref="gw-1", invoice_id=invoice_id, amount=usd("100.00"), method="GATEWAY"
    )
    assert again.duplicate and again.payment == first.payment
    with pytest.raises(Rejected) as refused:
        await billing.record_payment(
            external_ref="gw-1", invoice_id=invoice_id, amount=usd("1.00"), method="GATEWAY"
        )
    assert refused.value.code == "IDEMPOTENCY_CONFLICT" and refused.value.status == 409
    with pytest.raises(Rejected) as mismatch:
        await billing.record_payment(
            external_ref="gw-2", invoice_id=invoice_id, amount=Money(Decimal("1.00"), "EUR"), method="CARD"
        )
    assert mismatch.value.code == "CURRENCY_MISMATCH"


async def test_wallet_writes(billing: BillingPort) -> None:
    credit = await billing.credit_wallet(subscriber_id="SUB-1001", amount=usd("20.00"), external_ref="gw-top")
    assert credit.wallet_balance == usd("25.00") and credit.entry.kind == "TOPUP"
    assert (
        await billing.credit_wallet(subscriber_id="SUB-1001", amount=usd("20.00"), external_ref="gw-top")
    ).duplicate
    invoice_id = await ana_open_invoice_id(billing)
    applied = await billing.apply_wallet(
        subscriber_id="SUB-1001", invoice_id=invoice_id, idempotency_key="a1", amount=usd("5.00")
    )
    assert applied.invoice.balance == usd("87.97") and applied.wallet_balance == usd("20.00")
    with pytest.raises(Rejected) as broke:
        await billing.apply_wallet(
            subscriber_id="SUB-1001", invoice_id=invoice_id, idempotency_key="a2", amount=usd("50.00")
        )
    assert broke.value.code == "INSUFFICIENT_BALANCE"
    gift = await billing.redeem_gift_card(subscriber_id="SUB-1001", code="WG-GIFT-10")
    assert gift.value == usd("10.00") and gift.wallet_balance == usd("30.00")
    with pytest.raises(Rejected) as used:
        await billing.redeem_gift_card(subscriber_id="SUB-1001", code="WG-GIFT-10")
    assert used.value.code == "GIFT_CARD_ALREADY_USED"


async def test_renew(billing: BillingPort) -> None:
    renewal = await billing.renew_subservice("SS-1003-2", idempotency_key="r1")
    assert renewal.expires_at == datetime(2027, 1, 5, tzinfo=UTC) and renewal.charged == usd("9.99")
    assert renewal.entry.amount == usd("-9.99")
    with pytest.raises(Rejected) as refused:
        await billing.renew_subservice("SS-1001-1", idempotency_key="r2")
    assert refused.value.code == "NOT_PREPAID"
    with pytest.raises(NotFound):
        await billing.renew_subservice("SS-NOPE", idempotency_key="r3")


async def test_payment_methods_and_account_settings(billing: BillingPort) -> None:
    assert await billing.payment_methods("SUB-1001") == []
    with pytest.raises(Rejected) as refused:
        await billing.set_autopay("SUB-1001", True)
    assert refused.value.code == "AUTOPAY_REQUIRES_CARD"
    card = await billing.add_payment_method(
        "SUB-1001", gateway_token="tok_a", brand="visa", last4="4242", exp_month=1, exp_year=2031
    )
    other = await billing.add_payment_method(
        "SUB-1001", gateway_token="tok_b", brand="mastercard", last4="4444", exp_month=2, exp_year=2032
    )
    assert card.is_default and not other.is_default
    methods = await billing.set_default_payment_method("SUB-1001", other.id)
    assert [(m.id, m.is_default) for m in methods] == [(other.id, True), (card.id, False)]
    account = await billing.set_autopay("SUB-1001", True)
    assert account.autopay and account.default_payment_method_id == other.id
    assert [m.id for m in await billing.remove_payment_method("SUB-1001", card.id)] == [other.id]
    linked = await billing.set_gateway_customer("SUB-1001", "cus_9")
    assert linked.gateway_customer_id == "cus_9"


async def test_installments(billing: BillingPort) -> None:
    plans = await billing.installments(["SS-2001-2", "SS-3001-101"])
    assert plans["SS-3001-101"] == []
    phones = plans["SS-2001-2"][0]
    assert phones.installments_paid == 6 and phones.installments_total == 18
    assert phones.progress == Decimal("0.3333") and phones.remaining == usd("600.00")


async def test_batches_above_1000_ids_are_chunked(tmp_path: Path, world: World) -> None:
    ids = [f"SS-9001-{i}" for i in range(1, 1001)]
    async for billing in _billing(tmp_path, with_bench_subscriber(world, 1000)):
        found = await billing.subservice_billing([*ids, "SS-1001-1", "SS-1001-2"])
        assert len(found) == 1002
        invoices = await billing.invoices_for_subservices([*ids, "SS-1001-1"], status="OPEN")
        assert len(invoices) == 1001 and all(len(v) == 1 for v in invoices.values())


async def test_offers_preview_change_and_add_on(billing: BillingPort, today: date) -> None:
    offers = await billing.offers(["SS-1001-1", "SS-NOPE"])
    assert set(offers) == {"SS-1001-1"}
    ana = offers["SS-1001-1"]
    assert ana.current_plan_id == "fiber-300" and ana.pending_change is None
    fiber_1000 = next(p for p in ana.plans if p.id == "fiber-1000")
    assert (fiber_1000.monthly_price, fiber_1000.down_mbps, fiber_1000.data_cap_gb) == (
        usd("79.99"),
        1000,
        None,
    )
    assert {a.id: a.price_now for a in ana.add_ons}["static-ip"] == usd("1.00")
    preview = await billing.preview_plan_change("SS-1001-1", "fiber-1000")
    assert (preview.credit, preview.charge, preview.net) == (usd("10.00"), usd("16.00"), usd("6.00"))
    assert preview.effective_on == today and preview.direction == "UPGRADE"
    with pytest.raises(Rejected) as refused:
        await billing.preview_plan_change("SS-1001-1", "fiber-300")
    assert refused.value.code == "SAME_PLAN"
    with pytest.raises(NotFound):
        await billing.change_plan("SS-NOPE", "fiber-100", idempotency_key="k0")
    down = await billing.change_plan("SS-1001-1", "fiber-100", idempotency_key="k1")
    assert (down.status, down.effective_on) == ("SCHEDULED", date(2026, 12, 1))
    pending = (await billing.offers(["SS-1001-1"]))["SS-1001-1"].pending_change
    assert pending is not None and pending.plan.id == "fiber-100"
    bought = await billing.buy_add_on("SS-1001-1", "data-topup-10", paid_by="WALLET", idempotency_key="k2")
    assert (bought.charged, bought.wallet_balance, bought.data_gb) == (usd("3.00"), usd("2.00"), 10)
    with pytest.raises(Rejected) as short:
        await billing.buy_add_on("SS-1001-1", "extra-data-50", paid_by="WALLET", idempotency_key="k3")
    assert short.value.code == "INSUFFICIENT_BALANCE"
    by_card = await billing.buy_add_on(
        "SS-1001-1",
        "extra-data-50",
        paid_by="CARD",
        idempotency_key="k4",
        external_ref="pi_9",
        amount=usd("10.00"),
    )
    assert by_card.paid_by == "CARD" and by_card.wallet_balance == usd("2.00")
