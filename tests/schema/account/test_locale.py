"""The viewer's language over the real BFF and sandbox CRM, in-process: `viewer.locale`, `setLocale` (kept
by the CRM, cleared with null), and the account e-mails the CRM writes in it (a reset asked for anonymously
follows the page's language or the Accept-Language header)."""

from __future__ import annotations

import pytest

from adapters.errors import NotFound
from sandbox.app import Sandbox
from sandbox.crm.service.mail_text import CHROME, MESSAGES
from sandbox.world import DEMO_PASSWORD
from tests.harness.portal import Portal

LOCALE = "query { viewer { locale } }"
SET = """
mutation($locale: Locale) {
  setLocale(input: {locale: $locale}) { viewer { locale } userErrors { code field message } }
}
"""
CHANGE = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) { ok userErrors { code } }
}
"""
REQUEST = """
mutation($email: String!, $locale: Locale) {
  requestPasswordReset(input: {email: $email, locale: $locale}) { ok userErrors { code } }
}
"""
ANA = "ana@lima.example"


def last_mail_to(sandbox: Sandbox, to: str) -> dict[str, str]:
    return next(m for m in sandbox.crm.emails(1000) if m["to"] == to)


async def test_the_choice_is_kept_by_the_crm_and_null_follows_the_browser_again(portal: Portal) -> None:
    ana = await portal.another().sign_in(ANA)
    assert await ana.data(LOCALE) == {"viewer": {"locale": None}}
    chosen = await ana.data(SET, {"locale": "PT"})
    assert chosen == {"setLocale": {"viewer": {"locale": "PT"}, "userErrors": []}}
    # Another device of the same user sees it: it lives in the CRM, not the session.
    assert await (await portal.another().sign_in(ANA)).data(LOCALE) == {"viewer": {"locale": "PT"}}
    assert (await ana.data(SET, {"locale": None}))["setLocale"]["viewer"] == {"locale": None}
    assert await ana.data(LOCALE) == {"viewer": {"locale": None}}


async def test_a_language_outside_the_enum_is_refused_before_anything_runs(portal: Portal) -> None:
    ana = await portal.another().sign_in(ANA)
    answer = await ana.execute(SET, {"locale": "FR"})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert await ana.data(LOCALE) == {"viewer": {"locale": None}}


async def test_setting_a_language_needs_a_session(portal: Portal) -> None:
    answer = await portal.another().execute(SET, {"locale": "ES"})
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_login_removed_meanwhile_is_a_coded_refusal(
    portal: Portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = await portal.another().sign_in(ANA)

    async def gone(user_id: str, locale: str | None) -> None:
        raise NotFound("crm", "no such user")

    crm = portal.app.state.backends.crm  # type: ignore[attr-defined]
    monkeypatch.setattr(crm, "set_user_locale", gone)
    answer = (await ana.data(SET, {"locale": "ES"}))["setLocale"]
    assert answer["viewer"] is None and answer["userErrors"][0]["code"] == "REFUSED"


async def test_account_emails_are_written_in_the_users_language(portal: Portal, sandbox: Sandbox) -> None:
    ana = await portal.another().sign_in(ANA)
    await ana.data(SET, {"locale": "ES"})
    done = await ana.data(CHANGE, {"current": DEMO_PASSWORD, "new": "una-frase-mucho-mejor"})
    assert done == {"changePassword": {"ok": True, "userErrors": []}}
    mail = last_mail_to(sandbox, ANA)
    assert mail["subject"].startswith("Se cambió la contraseña")
    assert mail["body"].startswith("Hola, Ana")
    # A reset asked for anonymously is in the user's chosen language, whatever the page's.
    await portal.another().data(REQUEST, {"email": ANA, "locale": "PT"})
    assert last_mail_to(sandbox, ANA)["subject"].startswith("Restablece la contraseña")


async def test_an_anonymous_reset_follows_the_page_then_accept_language(
    portal: Portal, sandbox: Sandbox
) -> None:
    await portal.another().data(REQUEST, {"email": ANA, "locale": "PT"})
    assert last_mail_to(sandbox, ANA)["subject"].startswith("Redefina a senha")
    browser = portal.another(("198.51.100.7", 40000))
    browser.client.headers["accept-language"] = "fr-CA, es-MX;q=0.9, en;q=0.8"
    await browser.data(REQUEST, {"email": ANA})
    assert last_mail_to(sandbox, ANA)["subject"].startswith("Restablece la contraseña")


def test_every_message_has_every_language_with_the_same_fields() -> None:
    import string

    for name, languages in MESSAGES.items():
        assert set(languages) == {"en", "es", "pt"}, name
        fields = {
            lang: {f for part in texts for _, f, _, _ in string.Formatter().parse(part) if f}
            for lang, texts in languages.items()
        }
        assert fields["es"] == fields["en"] == fields["pt"], name
        assert languages["es"] != languages["en"] != languages["pt"], name
    for word, languages in CHROME.items():
        assert set(languages) == {"en", "es", "pt"} and all(languages.values()), word
