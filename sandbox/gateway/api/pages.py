"""The hosted checkout's pages, as HTML: the card form with the amount due (or the save-a-card form), the
authentication step, and what a closed or unknown session shows. Amounts are shown the way the payer's
currency writes them (`sandbox.common.money.display`)."""

from __future__ import annotations

import html
import json
import sqlite3
from typing import Any

from starlette.responses import HTMLResponse

from adapters.brand import Brand
from sandbox.gateway.service import currency

DEFAULT_BRAND = Brand()

HEADERS = {
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",  # the session id must not leak to the merchant's pages
    "x-content-type-options": "nosniff",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
    " frame-ancestors 'none'; base-uri 'none'",
}

STYLE = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6fb;color:#1a1f36}
main{max-width:440px;margin:48px auto;padding:0 16px}
.card{background:#fff;border-radius:12px;box-shadow:0 2px 12px rgba(26,31,54,.08);padding:28px}
.merchant{font-size:15px;font-weight:600;color:#4f566b;margin:0 0 4px}
h1{font-size:28px;margin:0 0 4px}
.sub{color:#697386;margin:0 0 20px}
table{width:100%;border-collapse:collapse;margin:0 0 20px;font-size:14px}
td{padding:6px 0;border-bottom:1px solid #eef0f5}td.amt{text-align:right;white-space:nowrap}
tr.total td{font-weight:600;border-bottom:none}
label{display:block;font-size:13px;font-weight:500;color:#4f566b;margin:12px 0 4px}
input{width:100%;padding:10px 12px;font-size:16px;border:1px solid #d5dae3;border-radius:6px}
input:focus{outline:2px solid var(--brand);border-color:var(--brand)}
.row{display:flex;gap:12px}.row>div{flex:1}
button{width:100%;margin-top:20px;padding:12px;font-size:16px;font-weight:600;color:#fff;background:var(--brand);
 border:0;border-radius:6px;cursor:pointer}
button.secondary{background:#fff;color:#c0123c;border:1px solid #c0123c}
.error{background:#fff1f2;color:#c0123c;border:1px solid #fecdd3;border-radius:6px;padding:10px 12px;margin:0 0 12px}
.note{font-size:13px;color:#697386;margin-top:16px}
a{color:var(--brand)}
button:focus-visible,a:focus-visible{outline:3px solid var(--brand);outline-offset:2px}
.logo{display:block;height:40px;max-width:160px;margin:0 0 12px}
.cancel{display:block;text-align:center;margin-top:16px}
"""


def _page(title: str, body: str, status: int = 200, brand: Brand = DEFAULT_BRAND) -> HTMLResponse:
    """The merchant's brand (Stripe's account branding settings): its colour on buttons and links, its logo
    (or the default mark) above the card's content."""
    logo = f'<img class="logo" src="{brand.logo_data_uri()}" alt="" data-testid="merchant-logo">'
    document = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f'<meta name="theme-color" content="{brand.primary_color}">'
        f"<title>{html.escape(title)}</title><style>:root{{--brand:{brand.primary_color}}}{STYLE}</style></head>"
        f'<body><main><div class="card">{logo}{body}</div></main></body></html>'
    )
    return HTMLResponse(document, status_code=status, headers=HEADERS)


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _summary(merchant: str, row: sqlite3.Row) -> str:
    head = f'<p class="merchant">{_esc(merchant)}</p>'
    if row["mode"] == "setup":
        return (
            f"{head}<h1>Save a card</h1>"
            f'<p class="sub">Save a card with {_esc(merchant)} for future payments. You will not be charged now.</p>'
        )
    code = row["currency"]
    lines = []
    for item in json.loads(row["line_items"]):
        quantity = f" × {item['quantity']}" if item["quantity"] > 1 else ""
        amount = currency.display(item["unit_amount"] * item["quantity"], code)
        lines.append(f'<tr><td>{_esc(item["name"])}{quantity}</td><td class="amt">{_esc(amount)}</td></tr>')
    rows = "".join(lines)
    total = currency.display(row["amount_total"], code)
    return (
        f'{head}<h1 data-testid="amount">{_esc(total)}</h1><p class="sub">Pay {_esc(merchant)}</p>'
        f'<table>{rows}<tr class="total"><td>Total due</td><td class="amt">{_esc(total)}</td></tr></table>'
    )


def pay_page(
    merchant: str,
    row: sqlite3.Row,
    action: str,
    *,
    error: str | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    brand: Brand = DEFAULT_BRAND,
) -> HTMLResponse:
    kept = values or {}
    alert = f'<p class="error" role="alert" data-testid="card-error">{_esc(error)}</p>' if error else ""
    button = (
        "Save card"
        if row["mode"] == "setup"
        else f"Pay {currency.display(row['amount_total'], row['currency'])}"
    )
    cancel = (
        f'<a class="cancel" href="{_esc(row["cancel_url"])}" data-testid="cancel-link">Cancel and return to'
        f" {_esc(merchant)}</a>"
        if row["cancel_url"]
        else ""
    )
    form = f"""
<form method="post" action="{_esc(action)}" autocomplete="on" novalidate>
{alert}
<label for="card-number">Card number</label>
<input id="card-number" name="card_number" data-testid="card-number" inputmode="numeric"
 autocomplete="cc-number" placeholder="1234 1234 1234 1234" maxlength="23" required>
<div class="row">
<div><label for="card-expiry">Expiry (MM / YY)</label>
<input id="card-expiry" name="card_expiry" data-testid="card-expiry" inputmode="numeric" autocomplete="cc-exp"
 placeholder="MM / YY" maxlength="9" value="{_esc(kept.get("card_expiry", ""))}" required></div>
<div><label for="card-cvc">CVC</label>
<input id="card-cvc" name="card_cvc" data-testid="card-cvc" inputmode="numeric" autocomplete="cc-csc"
 placeholder="CVC" maxlength="4" required></div>
</div>
<label for="card-name">Name on card</label>
<input id="card-name" name="card_name" data-testid="card-name" autocomplete="cc-name" maxlength="100"
 value="{_esc(kept.get("card_name", ""))}" required>
<button type="submit" data-testid="pay-button">{_esc(button)}</button>
</form>
{cancel}
<p class="note">Sandbox gateway: use test card 4242 4242 4242 4242 with any future expiry and any CVC.</p>"""
    title = f"{'Save a card' if row['mode'] == 'setup' else 'Pay'} — {merchant}"
    return _page(title, _summary(merchant, row) + form, status, brand)


def auth_page(merchant: str, row: sqlite3.Row, action: str, brand: Brand = DEFAULT_BRAND) -> HTMLResponse:
    what = (
        "saving this card"
        if row["mode"] == "setup"
        else f"a payment of {currency.display(row['amount_total'], row['currency'])}"
    )
    body = f"""
<p class="merchant">{_esc(merchant)}</p>
<h1>Confirm it's you</h1>
<p class="sub">Your bank asks you to authenticate {_esc(what)} to {_esc(merchant)}.
This sandbox stands in for your bank's check: choose the outcome.</p>
<form method="post" action="{_esc(action)}">
<button type="submit" name="outcome" value="complete" data-testid="3ds-complete">Complete</button>
<button type="submit" name="outcome" value="fail" class="secondary" data-testid="3ds-fail">Fail</button>
</form>"""
    return _page(f"Authenticate — {merchant}", body, brand=brand)


def closed_page(merchant: str, row: sqlite3.Row, brand: Brand = DEFAULT_BRAND) -> HTMLResponse:
    if row["status"] == "complete":
        done = "Card saved" if row["mode"] == "setup" else "Payment complete"
        link = row["success_url"].replace("{CHECKOUT_SESSION_ID}", row["id"])
        body = (
            f'<p class="merchant">{_esc(merchant)}</p><h1 data-testid="session-complete">{done}</h1>'
            '<p class="sub">This checkout is already complete. Nothing more to do here.</p>'
            f'<a href="{_esc(link)}">Return to {_esc(merchant)}</a>'
        )
        return _page(f"{done} — {merchant}", body, brand=brand)
    link = f'<a href="{_esc(row["cancel_url"])}">Return to {_esc(merchant)}</a>' if row["cancel_url"] else ""
    body = (
        f'<p class="merchant">{_esc(merchant)}</p><h1 data-testid="session-expired">This checkout has expired</h1>'
        '<p class="sub">Nothing was charged. Start again from the portal to get a new checkout page.</p>'
        + link
    )
    return _page(f"Checkout expired — {merchant}", body, 410, brand)


def missing_page(brand: Brand = DEFAULT_BRAND) -> HTMLResponse:
    body = (
        '<h1 data-testid="session-missing">Checkout not found</h1>'
        '<p class="sub">This checkout link is not valid. Start again from the portal.</p>'
    )
    return _page("Checkout not found", body, 404, brand)
