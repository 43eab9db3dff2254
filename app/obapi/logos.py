"""A registered client's logo, shown on the consent page from this service's own origin.

The spec says the consent page SHOULD show the client's ``logo_uri``
(https://www.imsglobal.org/spec/ob/v3p0/#registration). Linking the page to the client's
image would let any client track who opens its consent page (and the page's
Content-Security-Policy allows images from this origin only), so the logo is fetched once,
at registration, through the service's guarded fetcher: private and loopback addresses
refused unless the operator allowed them, redirects and time bounded, the download cut off
past :data:`MAX_BYTES`, and each fetch counted against the caller's per-address rate limit
(registration needs no credentials). It is kept only if it is a PNG, JPEG, GIF or WebP by
its magic bytes and no larger than :data:`MAX_PIXELS`, re-encoded by Pillow as a PNG of at
most :data:`SIDE` pixels a side: nothing the client sent (metadata, a polyglot payload,
later frames) reaches the passer's browser. A logo that cannot be used is left out; it
never fails the registration.
"""

from __future__ import annotations

import io
import logging
from typing import Final

from PIL import Image

from app.fetching.fetcher import SafeFetcher
from badges.errors import FetchError

MAX_BYTES: Final = 256 * 1024
MAX_PIXELS: Final = 4096 * 4096
SIDE: Final = 128
ACCEPT: Final = "image/png, image/webp, image/jpeg, image/gif;q=0.9"
_MAGIC: Final = {
    "PNG": (b"\x89PNG\r\n\x1a\n",),
    "JPEG": (b"\xff\xd8\xff",),
    "GIF": (b"GIF87a", b"GIF89a"),
}
log = logging.getLogger("shomei.obapi")


def image_format(data: bytes) -> str | None:
    """``PNG``, ``JPEG``, ``GIF`` or ``WEBP`` by the magic bytes, else ``None``."""
    for name, prefixes in _MAGIC.items():
        if data.startswith(prefixes):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def normalised(data: bytes) -> bytes | None:
    """The logo as a small PNG, or ``None`` when it is too large or not an allowed image."""
    kind = image_format(data[:16])
    if len(data) > MAX_BYTES or kind is None:
        return None
    try:
        with Image.open(io.BytesIO(data), formats=[kind]) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.seek(0)  # the first frame of an animation
            picture = image.convert("RGBA")
        picture.thumbnail((SIDE, SIDE))
        out = io.BytesIO()
        picture.save(out, format="PNG", optimize=True)
    except (OSError, ValueError, EOFError, SyntaxError, Image.DecompressionBombError):
        return None
    return out.getvalue()


def fetch(fetcher: SafeFetcher, url: str) -> bytes | None:
    """Fetch and normalise the logo at ``url``; ``None`` for any failure."""
    try:
        fetched = fetcher.get(url, accept=ACCEPT)
    except FetchError as error:
        log.info("client logo %s not used: %s", url[:200], error)
        return None
    logo = normalised(fetched.body)
    if logo is None:
        log.info("client logo %s not used: not a small PNG, JPEG, GIF or WebP image", url[:200])
    return logo
