"""The public page of a credential: what was awarded, by whom, to whom, its state, and sharing.

One language at a time (``?lang=``, else ``Accept-Language``, else Japanese), with the
achievement's texts in that language where the issuer gave them, and dates in the issuer's
time zone. The head carries Open Graph (https://ogp.me/) and Twitter Card tags
(https://developer.x.com/en/docs/x-for-websites/cards/markup), so a shared link previews as
the badge card of :mod:`app.credentials.share_image`.

What never appears: the recipient's e-mail address; a revocation reason staff did not make
public; the recipient's name in the preview tags of a page the passer has not listed. A
revoked, suspended or expired badge says so at the top, in its preview, and offers nothing
to share.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

import segno
from markupsafe import Markup

from app.credentials import share_links
from app.credentials.share_image import ShareCard
from app.templating import render as render_template
from app.texts import LANGS, PUBLIC, Lang

__all__ = [
    "CredentialPage",
    "card",
    "links",
    "qr_code",
    "render",
    "share_version",
    "shown_date",
    "state_of",
]

_FORMAT_TEXT = {
    "ob3": "Open Badges 3.0 (Data Integrity, eddsa-rdfc-2022)",
    "ob3-jwt": "Open Badges 3.0 (VC-JWT)",
    "ob2": "Open Badges 2.0",
}
_MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
_OG_LOCALES = {"ja": "ja_JP", "en": "en_US"}


@dataclass(frozen=True)
class CredentialPage:
    """What the page shows, gathered by the router in the page's language."""

    lang: Lang
    credential_id: str
    achievement_name: str
    achievement_description: str
    criteria_narrative: str | None
    texts_lang: str  # the language the achievement's texts are in (its primary one if untranslated)
    criteria_lang: str  # criteria are written in the achievement's primary language only
    issuer_name: str
    issuer_profile_url: str
    issuer_time_zone: str
    linkedin_organization_id: str | None
    recipient_name: str | None
    issued_at: datetime
    valid_until: datetime | None
    status: str  # active, revoked or suspended, as stored
    revocation_reason: str | None  # only when staff made it public
    listed: bool
    format: str
    external_id: str | None
    image_url: str | None
    public_url: str
    verify_url: str
    share_image_url: str  # without its version


def _t(key: str, lang: Lang) -> str:
    ja, en = PUBLIC[key]
    return ja if lang == "ja" else en


def state_of(view: CredentialPage, now: datetime) -> str:
    """``revoked``, ``suspended``, ``expired`` or ``active``: the first that holds."""
    if view.status in ("revoked", "suspended"):
        return view.status
    if view.valid_until is not None and view.valid_until <= now:
        return "expired"
    return "active"


def shown_date(value: datetime, view: CredentialPage) -> str:
    """A date in the issuer's time zone, written as a reader of the page's language does."""
    local = value.astimezone(ZoneInfo(view.issuer_time_zone))
    if view.lang == "ja":
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.day} {_MONTHS[local.month - 1]} {local.year}"


def _preview_name(view: CredentialPage) -> str | None:
    # Search engines and link previews see the name only on a page its passer listed.
    return view.recipient_name if view.listed else None


def card(view: CredentialPage, now: datetime, image: bytes | None, media: str | None) -> ShareCard:
    """The share image's content for this page."""
    state = state_of(view, now)
    lines = [name] if (name := _preview_name(view)) else []
    lines.append(_t("card_issued", view.lang).format(date=shown_date(view.issued_at, view)))
    return ShareCard(
        image=image,
        image_media_type=media,
        title=view.achievement_name,
        issuer=view.issuer_name,
        lines=tuple(lines),
        state=state,
        state_text=_t(f"state_{state}", view.lang),
        footer=f"Open Badges · {urlsplit(view.public_url).netloc}",
    )


def share_version(view: CredentialPage, now: datetime, image_stamp: str) -> str:
    """A short hash of everything the share image shows: its URL changes when it does."""
    parts = (
        view.lang,
        view.achievement_name,
        view.issuer_name,
        view.issuer_time_zone,
        _preview_name(view) or "",
        view.issued_at.isoformat(),
        state_of(view, now),
        image_stamp,
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def _description(view: CredentialPage, state: str) -> str:
    values = {"issuer": view.issuer_name, "date": shown_date(view.issued_at, view)}
    return _t(f"og_{state}", view.lang).format(**values)


def qr_code(url: str, lang: Lang) -> Markup:
    # segno writes the SVG from the URL alone and escapes its title; nothing else goes in.
    qr = segno.make(url, error="m")
    return Markup(qr.svg_inline(scale=4, title=_t("qr_title", lang), dark="#1d2433"))  # noqa: S704


@dataclass(frozen=True)
class _Link:
    href: str
    label: str  # a key of app.texts.PUBLIC
    kind: str  # a class name: download, share, profile


def links(view: CredentialPage) -> list[_Link]:
    links: list[_Link] = []
    if view.image_url:
        links.append(_Link(view.image_url, "download_image", "download"))
    if view.format == "ob3-jwt":
        links.append(_Link(f"{view.public_url}.jwt", "download_jwt", "download"))
    else:
        links.append(_Link(f"{view.public_url}.json", "download_json", "download"))
    certification = share_links.Certification(
        name=view.achievement_name,
        organization_name=view.issuer_name,
        organization_id=view.linkedin_organization_id,
        issued_at=view.issued_at,
        expires_at=view.valid_until,
        cert_url=view.public_url,
        cert_id=view.external_id or view.credential_id,
        time_zone=view.issuer_time_zone,
    )
    text = _t("share_text", view.lang).format(name=view.achievement_name, issuer=view.issuer_name)
    body = f"{text}\n{view.public_url}"
    return [
        *links,
        _Link(share_links.linkedin_add_to_profile(certification), "share_linkedin", "profile"),
        _Link(share_links.x_post(text, view.public_url), "share_x", "share"),
        _Link(share_links.facebook_share(view.public_url), "share_facebook", "share"),
        _Link(share_links.line_share(view.public_url), "share_line", "share"),
        _Link(share_links.mail_share(text, body), "share_mail", "mail"),
    ]


def render(view: CredentialPage, now: datetime, share_image_url: str) -> str:
    """The page (the template escapes every value; only the QR code's SVG is marked safe)."""
    lang = view.lang
    state = state_of(view, now)
    rows: list[tuple[str, str]] = [(_t("issuer", lang), view.issuer_name)]
    if view.recipient_name:
        rows.append((_t("recipient", lang), view.recipient_name))
    rows.append((_t("issued", lang), shown_date(view.issued_at, view)))
    if view.valid_until is not None:
        rows.append((_t("valid_until", lang), shown_date(view.valid_until, view)))
    rows.append((_t("format", lang), _FORMAT_TEXT.get(view.format, view.format)))
    title = view.achievement_name
    if name := _preview_name(view):
        title = f"{title} — {name}"
    state_detail = _t(f"state_{state}_detail", lang)
    if state == "expired" and view.valid_until is not None:
        state_detail = state_detail.format(date=shown_date(view.valid_until, view))
    return render_template(
        "credential.html",
        lang=lang,
        t=lambda key: _t(key, lang),
        title=title,
        view=view,
        state=state,
        state_detail=state_detail,
        rows=rows,
        og={
            "title": title,
            "description": _description(view, state),
            "url": view.public_url,
            "image": share_image_url,
            "image_alt": _t("og_image_alt", lang).format(name=view.achievement_name),
            "locale": _OG_LOCALES[lang],
            "alternate_locale": _OG_LOCALES["en" if lang == "ja" else "ja"],
            "site_name": view.issuer_name,
        },
        languages=[
            (other, f"{view.public_url}?lang={other}", PUBLIC["language_name"][i])
            for i, other in enumerate(LANGS)
        ],
        links=links(view) if state == "active" else [],
        qr=qr_code(view.public_url, lang) if state == "active" else None,
        verify_link=f"{view.verify_url}?url={quote(view.public_url, safe='')}&lang={lang}",
    )
