"""The account e-mails the CRM writes to a portal user, in the user's language (en, es, pt — pt as written in
Brazil), with dates formatted by babel (CLDR) for that language.

Each message is a template per language with named fields; `tests/sandbox/test_mail_languages.py` checks that
every language has every message with the same fields. Add a language: add its column to every table here
and to `LOCALES` in `sandbox/crm/config.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from babel.dates import format_date, format_time

# CLDR locales the languages format with (pt: Brazilian conventions).
CLDR: Final = {"en": "en_US", "es": "es", "pt": "pt_BR"}

# (subject, body) per message and language; {brand}, {name}, … are filled in by `render`.
MESSAGES: Final[dict[str, dict[str, tuple[str, str]]]] = {
    "password_changed": {
        "en": (
            "Your {brand} portal password was changed",
            "Hello {name},\n\nthe password of your {brand} portal login was just changed, and your other "
            "sessions were signed out. If this was not you, reset your password from the sign-in page now and "
            "tell your account owner.",
        ),
        "es": (
            "Se cambió la contraseña de tu portal {brand}",
            "Hola, {name}:\n\nse acaba de cambiar la contraseña de tu acceso al portal {brand} y se cerraron "
            "tus demás sesiones. Si no fuiste tú, restablece tu contraseña ahora desde la página de inicio de "
            "sesión y avisa al titular de la cuenta.",
        ),
        "pt": (
            "A senha do seu portal {brand} foi alterada",
            "Olá, {name}!\n\na senha do seu acesso ao portal {brand} acabou de ser alterada, e suas outras "
            "sessões foram encerradas. Se não foi você, redefina sua senha agora na página de login e avise o "
            "titular da conta.",
        ),
    },
    "password_reset": {
        "en": (
            "Reset your {brand} portal password",
            "Hello {name},\n\nsomeone (we hope you) asked to reset the password of your {brand} portal login. "
            "Open this link within 30 minutes to choose a new one:\n\n{link}\n\nThe link works once. If you "
            "did not ask for it, ignore this e-mail: your password stays as it is.",
        ),
        "es": (
            "Restablece la contraseña de tu portal {brand}",
            "Hola, {name}:\n\nalguien (esperamos que tú) pidió restablecer la contraseña de tu acceso al "
            "portal {brand}. Abre este enlace en los próximos 30 minutos para elegir una nueva:\n\n{link}\n\n"
            "El enlace funciona una sola vez. Si no lo pediste, ignora este correo: tu contraseña no cambia.",
        ),
        "pt": (
            "Redefina a senha do seu portal {brand}",
            "Olá, {name}!\n\nalguém (esperamos que você) pediu para redefinir a senha do seu acesso ao portal "
            "{brand}. Abra este link em até 30 minutos para escolher uma nova:\n\n{link}\n\nO link funciona "
            "uma única vez. Se você não pediu, ignore este e-mail: sua senha continua a mesma.",
        ),
    },
    "sign_in_alert": {
        "en": (
            "New sign-in to your {brand} portal login",
            "Hello {name},\n\nyour portal login was just used to sign in from a device we have not seen "
            "before:\n\n  {device}\n  from {ip}\n  at {at}\n\nIf this was you, there is nothing to do. If not, "
            "change your password now and end that session under Account & security → Sessions.",
        ),
        "es": (
            "Nuevo inicio de sesión en tu portal {brand}",
            "Hola, {name}:\n\nse acaba de usar tu acceso al portal para iniciar sesión desde un dispositivo "
            "que no habíamos visto:\n\n  {device}\n  desde {ip}\n  el {at}\n\nSi fuiste tú, no tienes que "
            "hacer nada. Si no, cambia tu contraseña ahora y cierra esa sesión en Cuenta y seguridad → "
            "Sesiones.",
        ),
        "pt": (
            "Novo login no seu portal {brand}",
            "Olá, {name}!\n\nseu acesso ao portal acabou de ser usado para entrar a partir de um dispositivo "
            "que ainda não conhecíamos:\n\n  {device}\n  de {ip}\n  em {at}\n\nSe foi você, não precisa fazer "
            "nada. Se não, altere sua senha agora e encerre essa sessão em Conta e segurança → Sessões.",
        ),
    },
    "invitation": {
        "en": (
            "You are invited to the {brand} portal of {account}",
            "Hello,\n\n{inviter} invited you to manage {account} (account {number}) in the {brand} portal. "
            "Open this link within 7 days to choose your password:\n\n{link}\n\nYour login is this e-mail "
            "address.",
        ),
        "es": (
            "Te invitaron al portal {brand} de {account}",
            "Hola:\n\n{inviter} te invitó a gestionar {account} (cuenta {number}) en el portal {brand}. Abre "
            "este enlace en los próximos 7 días para elegir tu contraseña:\n\n{link}\n\nTu usuario es esta "
            "dirección de correo.",
        ),
        "pt": (
            "Você foi convidado para o portal {brand} de {account}",
            "Olá!\n\n{inviter} convidou você para gerenciar {account} (conta {number}) no portal {brand}. "
            "Abra este link em até 7 dias para escolher sua senha:\n\n{link}\n\nSeu login é este endereço de "
            "e-mail.",
        ),
    },
    "login_email_confirm": {
        "en": (
            "Confirm your new {brand} portal login e-mail",
            "Hello {name},\n\nopen this link within 30 minutes to sign in to the {brand} portal with this "
            "address from now on:\n\n{link}\n\nIf you did not ask for this, ignore this e-mail.",
        ),
        "es": (
            "Confirma tu nuevo correo de inicio de sesión del portal {brand}",
            "Hola, {name}:\n\nabre este enlace en los próximos 30 minutos para iniciar sesión en el portal "
            "{brand} con esta dirección a partir de ahora:\n\n{link}\n\nSi no lo pediste, ignora este correo.",
        ),
        "pt": (
            "Confirme seu novo e-mail de login do portal {brand}",
            "Olá, {name}!\n\nabra este link em até 30 minutos para entrar no portal {brand} com este endereço "
            "a partir de agora:\n\n{link}\n\nSe você não pediu isso, ignore este e-mail.",
        ),
    },
    "login_email_requested": {
        "en": (
            "A change of your {brand} portal login e-mail was requested",
            "Hello {name},\n\nsomeone signed in as you asked to change your login e-mail to {address}. "
            "Nothing changes until a link sent there is opened. If this was not you, change your password now "
            "and end your other sessions under Account & security.",
        ),
        "es": (
            "Se pidió cambiar el correo de inicio de sesión de tu portal {brand}",
            "Hola, {name}:\n\nalguien que inició sesión como tú pidió cambiar tu correo de inicio de sesión a "
            "{address}. Nada cambia hasta que se abra el enlace enviado a esa dirección. Si no fuiste tú, cambia "
            "tu contraseña ahora y cierra tus demás sesiones en Cuenta y seguridad.",
        ),
        "pt": (
            "Foi solicitada a alteração do e-mail de login do seu portal {brand}",
            "Olá, {name}!\n\nalguém que entrou como você pediu para alterar seu e-mail de login para "
            "{address}. Nada muda até que o link enviado para esse endereço seja aberto. Se não foi você, altere "
            "sua senha agora e encerre suas outras sessões em Conta e segurança.",
        ),
    },
    "login_email_changed": {
        "en": (
            "Your {brand} portal login e-mail was changed",
            "Hello {name},\n\nyou sign in with {address} from now on; this address no longer works for "
            "signing in. If this was not you, contact support at once.",
        ),
        "es": (
            "Se cambió el correo de inicio de sesión de tu portal {brand}",
            "Hola, {name}:\n\na partir de ahora inicias sesión con {address}; esta dirección ya no sirve para "
            "iniciar sesión. Si no fuiste tú, contacta a soporte de inmediato.",
        ),
        "pt": (
            "O e-mail de login do seu portal {brand} foi alterado",
            "Olá, {name}!\n\na partir de agora você entra com {address}; este endereço não serve mais para "
            "entrar. Se não foi você, fale com o suporte imediatamente.",
        ),
    },
    "contact_email_changed": {
        "en": (
            "The contact e-mail of your {brand} account was changed",
            "Hello,\n\n{actor} changed the contact e-mail of account {number} from this address to {address}. "
            "Notices and invoices go there from now on.\n\nIf you did not expect this, contact support at once.",
        ),
        "es": (
            "Se cambió el correo de contacto de tu cuenta {brand}",
            "Hola:\n\n{actor} cambió el correo de contacto de la cuenta {number} de esta dirección a "
            "{address}. A partir de ahora, los avisos y las facturas se envían allí.\n\nSi no lo esperabas, "
            "contacta a soporte de inmediato.",
        ),
        "pt": (
            "O e-mail de contato da sua conta {brand} foi alterado",
            "Olá!\n\n{actor} alterou o e-mail de contato da conta {number} deste endereço para {address}. "
            "A partir de agora, os avisos e as faturas vão para lá.\n\nSe você não esperava por isso, fale com "
            "o suporte imediatamente.",
        ),
    },
}

# The words of the HTML part around the text (`mailer.html_body`).
CHROME: Final[dict[str, dict[str, str]]] = {
    "open": {"en": "Open in the portal", "es": "Abrir en el portal", "pt": "Abrir no portal"},
    "questions": {"en": "Questions?", "es": "¿Preguntas?", "pt": "Dúvidas?"},
    "unknown_address": {
        "en": "an unknown address",
        "es": "una dirección desconocida",
        "pt": "um endereço desconhecido",
    },
}


def language(locale: str | None) -> str:
    """One of the supported languages; English for anything else."""
    return locale if locale in CLDR else "en"


def render(message: str, locale: str | None, **fields: str) -> tuple[str, str]:
    """(subject, body) of `message` in `locale` with `fields` filled in."""
    subject, body = MESSAGES[message][language(locale)]
    return subject.format(**fields), body.format(**fields)


def chrome(word: str, locale: str | None) -> str:
    return CHROME[word][language(locale)]


def when(moment: datetime, locale: str | None) -> str:
    """An instant as the language writes it, in UTC: "Dec 2, 2026 1:40 PM UTC", "2 dic 2026 13:40 UTC"."""
    cldr = CLDR[language(locale)]
    return f"{format_date(moment, 'medium', locale=cldr)} {format_time(moment, 'short', locale=cldr)} UTC"
