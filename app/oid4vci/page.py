"""The OpenID4VCI part of the claim page: a fresh offer as a QR code and a deep link.

The offer travels by reference in an ``openid-credential-offer://`` URI (OpenID4VCI 1.0
§4.1.3, https://openid.net/specs/openid-4-verifiable-credential-issuance-1_0.html#section-4.1.3):
short enough for a QR code, and the pre-authorized code stays off the page. The transaction
code is shown beside it, for the passer to type into the wallet.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import segno
from markupsafe import Markup

from app.oid4vci.service import NewOffer, offer_uri
from app.texts import PUBLIC, Lang
from app.urls import Urls

__all__ = ["OfferView", "deep_link", "offer_view"]


@dataclass(frozen=True)
class OfferView:
    deep_link: str
    qr: Markup
    tx_code: str | None
    minutes: int


def deep_link(urls: Urls, reference: str) -> str:
    return "openid-credential-offer://?credential_offer_uri=" + quote(
        offer_uri(urls, reference), safe=""
    )


def offer_view(urls: Urls, offer: NewOffer, lang: Lang, minutes: int) -> OfferView:
    link = deep_link(urls, offer.reference)
    title = PUBLIC["oid4vci_qr_title"][0 if lang == "ja" else 1]
    # segno writes the SVG from the link alone and escapes its title; nothing else goes in.
    svg = segno.make(link, error="m").svg_inline(scale=3, title=title, dark="#1d2433")
    return OfferView(link, Markup(svg), offer.tx_code, minutes)  # noqa: S704
