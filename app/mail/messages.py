"""Mail messages, rendered and assembled: the notification's text and HTML parts.

Headers are built by :mod:`email` with ``policy.SMTP``: a display name is quoted or encoded
per RFC 2047 by the library, never by hand. Control characters (CR and LF above all) are
folded into spaces before any value reaches a header, so a name such as
``"Taro\\r\\nBcc: x@evil"`` stays a name and cannot add a header; the policy would refuse
one that slipped through. The HTML part is a template with autoescape, so markup in a name
is shown as text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from app.templating import render
from app.texts import Lang, mail_date, mail_text

# Dates in mails are Japan's (no daylight saving time, so a fixed offset is exact).
JST = timezone(timedelta(hours=9), "JST")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """``value`` as one line: controls become spaces, runs of spaces one."""
    return " ".join(_CONTROLS.sub(" ", value).split())


@dataclass(frozen=True)
class Notification:
    """What a notification says, in the passer's language."""

    lang: Lang
    issuer: str
    achievement: str
    recipient_name: str | None
    claim_url: str
    expires_at: datetime


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render_notification(notification: Notification) -> Rendered:
    """The subject and both parts of a notification."""
    return _render(notification, "notification")


def render_kind(notification: Notification, kind: str) -> Rendered:
    """A mail with a fresh claim link: ``claim_link`` (asked for on the lost-link form) or
    ``claim_reminder`` (the badge is still unclaimed)."""
    return _render(notification, kind)


def _render(notification: Notification, kind: str) -> Rendered:
    lang = notification.lang
    issuer, achievement = header_text(notification.issuer), header_text(notification.achievement)
    name = header_text(notification.recipient_name or "")
    greeting = mail_text("greeting_name", lang, name=name) if name else mail_text("greeting", lang)
    local = notification.expires_at.astimezone(JST)
    context = {
        "lang": lang,
        "issuer": issuer,
        "achievement": achievement,
        "greeting": greeting,
        "claim_url": notification.claim_url,
        "expires": mail_date(local.year, local.month, local.day, lang),
        "subject": mail_text(f"{kind}_subject", lang, achievement=achievement),
    }
    return Rendered(
        subject=context["subject"],
        text=render(f"mail/{kind}.txt", **context) + "\n",
        html=render(f"mail/{kind}.html", **context) + "\n",
    )


@dataclass(frozen=True)
class Envelope:
    from_name: str
    from_address: str
    to_address: str
    to_name: str | None
    message_id: str
    date: datetime
    lang: Lang


def needs_utf8(address: str) -> bool:
    """Whether an address needs SMTPUTF8 (RFC 6531): a non-ASCII local part or domain."""
    return not address.isascii()


def assemble(envelope: Envelope, rendered: Rendered) -> bytes:
    """The message as it goes on the wire (CRLF line ends, MIME multipart/alternative)."""
    utf8 = needs_utf8(envelope.to_address)
    message = EmailMessage(policy=policy.SMTPUTF8 if utf8 else policy.SMTP)
    message["From"] = Address(
        display_name=header_text(envelope.from_name), addr_spec=envelope.from_address
    )
    message["To"] = Address(
        display_name=header_text(envelope.to_name or ""), addr_spec=envelope.to_address
    )
    message["Subject"] = header_text(rendered.subject)
    message["Date"] = format_datetime(envelope.date)
    message["Message-ID"] = envelope.message_id
    # RFC 3834: a machine wrote this; auto-responders should not answer it.
    message["Auto-Submitted"] = "auto-generated"
    # Base64 keeps every line short and ASCII whatever the server supports (no 8BITMIME).
    message.set_content(rendered.text, subtype="plain", charset="utf-8", cte="base64")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8", cte="base64")
    message["Content-Language"] = envelope.lang  # after the content, which clears Content-*
    return message.as_bytes()
