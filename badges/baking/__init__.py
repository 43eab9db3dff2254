"""Baking: carry an Open Badge inside its own PNG or SVG image.

OB 3.0: https://www.imsglobal.org/spec/ob/v3p0/#png-baking and #svg-baking; OB 2.0:
https://www.imsglobal.org/sites/default/files/Badges/OBv2p0Final/baking/index.html.

:func:`bake` and :func:`unbake` pick the format from the bytes: a PNG by its
signature, an SVG by its first markup (after an optional byte-order mark,
whitespace or XML declaration), which :mod:`badges.baking.svg` then parses.
Use :mod:`badges.baking.png` or :mod:`badges.baking.svg` directly for their
limits and options.
"""

from __future__ import annotations

import re
from typing import Final, Literal

from badges.baking.png import PNG_SIGNATURE, BakedPayload, Version, bake_png, unbake_png
from badges.baking.svg import bake_svg, unbake_svg
from badges.errors import DocumentError

__all__ = [
    "BakedPayload",
    "Version",
    "bake",
    "bake_png",
    "bake_svg",
    "sniff",
    "unbake",
    "unbake_png",
    "unbake_svg",
]

# Markup opens after an optional UTF-8 byte-order mark and whitespace; a UTF-16
# or UTF-32 byte-order mark is passed on for the XML parser to judge.
_LOOKS_LIKE_XML: Final = re.compile(
    rb"\A(?:(?:\xef\xbb\xbf)?[ \t\r\n]*<|\xff\xfe|\xfe\xff|\x00\x00\xfe\xff)"
)


def sniff(data: bytes) -> Literal["PNG", "SVG"] | None:
    """Which image format ``data`` looks like, by its first bytes (``None``: neither)."""
    if data.startswith(PNG_SIGNATURE):
        return "PNG"
    if _LOOKS_LIKE_XML.match(data):
        return "SVG"
    return None


def bake(image: bytes, payload: str, *, version: Version) -> bytes:
    """Bake ``payload`` into a PNG or SVG image.

    Args:
        image: A PNG or SVG image.
        payload: A compact JWS or JSON document.
        version: ``"2.0"`` or ``"3.0"``.

    Returns:
        The baked image, in the same format.

    Raises:
        DocumentError: The image is neither a PNG nor an SVG, or cannot be baked
            (see :func:`bake_png` and :func:`bake_svg`).
    """
    if image.startswith(PNG_SIGNATURE):
        return bake_png(image, payload, version=version)
    if _LOOKS_LIKE_XML.match(image):
        return bake_svg(image, payload, version=version)
    raise DocumentError("not a PNG or SVG image")


def unbake(image: bytes) -> BakedPayload | None:
    """Return the badge baked into a PNG or SVG image, or ``None`` if it has none.

    Args:
        image: A PNG or SVG image.

    Returns:
        The payload with its version, or ``None``.

    Raises:
        DocumentError: The image is neither a PNG nor an SVG, or is damaged,
            oversized or ambiguous (see :func:`unbake_png` and :func:`unbake_svg`).
    """
    if image.startswith(PNG_SIGNATURE):
        return unbake_png(image)
    if _LOOKS_LIKE_XML.match(image):
        return unbake_svg(image)
    raise DocumentError("not a PNG or SVG image")
