"""The claim page a passer's link opens, and the lost-link form, rendered in ja or en.

The claim page shows the badge as its public page does (the same view, share buttons and
downloads, from :mod:`app.credentials.page`), with what only the passer may do: accept the
badge and choose whether the public page is listed. It is never indexed, and it is the
passer's alone: the link's token is the proof, so every form on it carries a token derived
from the link (:func:`form_token`) that another site cannot know.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from app.credentials import page as badge_page
from app.credentials.page import CredentialPage
from app.oid4vci.page import OfferView
from app.templating import render
from app.texts import LANGS, PUBLIC, Lang
from app.wallets.links import LcwLinks

__all__ = ["form_token", "render_claim", "render_lost", "tokens_match"]


def _t(key: str, lang: Lang) -> str:
    ja, en = PUBLIC[key]
    return ja if lang == "ja" else en


def form_token(claim_token: str) -> str:
    """The forms' anti-forgery token: an HMAC keyed by the link's token.

    Only a page opened through the link shows it, so a form posted from another site, which
    does not know the link, cannot carry it; no cookie is needed.
    """
    return hmac.new(claim_token.encode(), b"shomei claim form", hashlib.sha256).hexdigest()


def tokens_match(claim_token: str, given: str) -> bool:
    return hmac.compare_digest(form_token(claim_token), given)


def _languages(base: str) -> list[tuple[str, str, str]]:
    return [
        (code, f"{base}?lang={code}", PUBLIC["language_name"][i]) for i, code in enumerate(LANGS)
    ]


def render_claim(
    view: CredentialPage,
    now: datetime,
    *,
    claim_url: str,
    claim_token: str,
    expires_at: datetime,
    claimed_at: datetime | None,
    wallet: LcwLinks | None = None,
    wallet_minutes: int = 0,
    oid4vci: OfferView | None = None,
) -> str:
    """The claim page of ``view``'s credential, opened through ``claim_url``; ``wallet``:
    the links of a wallet offer made for this visit; ``oid4vci``: the OpenID4VCI offer drawn
    for this visit (:mod:`app.oid4vci.page`)."""
    lang = view.lang
    state = badge_page.state_of(view, now)
    rows: list[tuple[str, str]] = [(_t("issuer", lang), view.issuer_name)]
    if view.recipient_name:
        rows.append((_t("recipient", lang), view.recipient_name))
    rows.append((_t("issued", lang), badge_page.shown_date(view.issued_at, view)))
    if view.valid_until is not None:
        rows.append((_t("valid_until", lang), badge_page.shown_date(view.valid_until, view)))
    active = state == "active"
    return render(
        "claim.html",
        lang=lang,
        t=lambda key: _t(key, lang),
        title=f"{_t('claim_title', lang)}: {view.achievement_name}",
        view=view,
        state=state,
        rows=rows,
        image_alt=_t("og_image_alt", lang).format(name=view.achievement_name),
        accepted_on=badge_page.shown_date(claimed_at, view) if claimed_at else None,
        link_note=_t("claim_link_note", lang).format(date=badge_page.shown_date(expires_at, view)),
        csrf=form_token(claim_token),
        action_base=claim_url,
        languages=_languages(claim_url),
        links=badge_page.links(view) if active else [],
        qr=badge_page.qr_code(view.public_url, lang) if active else None,
        wallet=wallet if active else None,
        wallet_minutes=wallet_minutes,
        oid4vci=oid4vci if active else None,
    )


def render_lost(
    lang: Lang, *, heading_key: str | None = None, message: str = "", explanation_key: str = ""
) -> str:
    """The lost-link form, under the reason a link did not open (``heading_key``), if any."""
    return render(
        "claim_lost.html",
        lang=lang,
        t=lambda key: _t(key, lang),
        title=_t(heading_key or "lost_title", lang),
        heading=_t(heading_key, lang) if heading_key else "",
        explanation=_t(explanation_key, lang) if explanation_key else "",
        message=message,
        languages=_languages("/claim/lost"),
    )
