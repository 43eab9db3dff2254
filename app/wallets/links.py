"""The links and QR code that open a VC-API exchange in the Learner Credential Wallet.

Three forms, for the wallet's builds in use:

- ``https://lcw.app/request?request={"credentialRequestOrigin": …, "protocols": {"vcapi":
  <exchange URL>}}``: a wallet API message whose ``protocols.vcapi`` is the exchange
  (https://w3c-ccg.github.io/vc-api/#exchanges); the button and the QR code;
- ``interaction:<interaction URL>`` (VC-API "Initiating Interactions": an https URL with
  ``iuv=1`` whose GET answers the protocols), for wallets that take interaction URLs;
- ``dccrequest://request?issuer=…&auth_type=bearer&challenge=…&vc_request_url=…``: the one-POST
  request of older wallet builds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote, urlencode

import segno
from markupsafe import Markup

from app.urls import Urls

__all__ = ["LcwLinks", "lcw_links"]

LCW_REQUEST: Final = "https://lcw.app/request"
LEGACY_REQUEST: Final = "dccrequest://request"
# encodeURIComponent's unreserved set: the wallet decodes the message once more with
# decodeURI, which leaves these alone.
_URI_COMPONENT_SAFE: Final = "-_.!~*'()"


@dataclass(frozen=True)
class LcwLinks:
    request: str
    interaction: str
    legacy: str
    qr: Markup


def lcw_links(urls: Urls, token: str, challenge: str, *, qr_title: str) -> LcwLinks:
    """The links of one VC-API offer, and a QR code of the first."""
    message = {
        "credentialRequestOrigin": urls.base,
        "protocols": {"vcapi": urls.vcapi_exchange(token)},
    }
    text = json.dumps(message, separators=(",", ":"))
    request = f"{LCW_REQUEST}?request={quote(text, safe=_URI_COMPONENT_SAFE)}"
    legacy = (
        LEGACY_REQUEST
        + "?"
        + urlencode(
            {
                "issuer": urls.domain,
                "auth_type": "bearer",
                "challenge": challenge,
                "vc_request_url": urls.vcapi_exchange(token),
            }
        )
    )
    qr = segno.make(request, error="m")
    # segno writes the SVG from the link alone and escapes its title; nothing else goes in.
    svg = Markup(qr.svg_inline(scale=3, title=qr_title, dark="#1d2433"))  # noqa: S704
    return LcwLinks(request, f"interaction:{urls.wallet_interaction(token)}", legacy, svg)
