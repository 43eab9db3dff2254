"""The 1200x627 PNG a shared link shows as its preview card: the badge, its name and issuer.

LinkedIn, Facebook and X show ``og:image`` as a large card at 1.91:1; a square badge image
would be shown as a small thumbnail, and SVG not at all
(https://www.linkedin.com/help/linkedin/answer/a521928,
https://developer.x.com/en/docs/x-for-websites/cards/overview/summary-card-with-large-image).
So the card is drawn here, with Pillow, from the achievement's image:

- a PNG is decoded with Pillow's decompression-bomb limit (uploads are capped at 2048 px);
- an SVG is checked again with the upload checks (no script, no external reference) and
  rasterised by resvg, which runs no script and, given no resources directory, loads
  nothing else; an SVG that fails either step is drawn as a framed placeholder.

Japanese needs a CJK font: Noto Sans CJK (Debian ``fonts-noto-cjk``) where it is installed,
found at its usual paths or by ``fc-match``; without one, Pillow's own font draws what it can.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

import resvg_py
from PIL import Image, ImageDraw, ImageFont, ImageOps

from app.achievements.images import InvalidImageError, check_svg

__all__ = ["HEIGHT", "WIDTH", "ShareCard", "draw_share_card", "find_font"]

WIDTH: Final = 1200
HEIGHT: Final = 627
_BADGE: Final = 420
_MARGIN: Final = 60
_TEXT_LEFT: Final = _MARGIN + _BADGE + 60
_TEXT_WIDTH: Final = WIDTH - _TEXT_LEFT - _MARGIN
_FONT_CANDIDATES: Final = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-{weight}.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-{weight}.ttc",
    "/System/Library/Fonts/ヒラギノ角ゴシック W6.ttc",
)
_INK: Final = (29, 36, 51)
_MUTED: Final = (74, 84, 104)
# Background and ink of the band that says a badge is no longer valid.
_BANDS: Final = {
    "revoked": ((253, 226, 225), (138, 28, 23)),
    "suspended": ((255, 244, 214), (122, 82, 0)),
    "expired": ((234, 236, 240), (74, 84, 104)),
}


@dataclass(frozen=True)
class ShareCard:
    """What the card says; ``state`` other than ``active`` is written across it."""

    image: bytes | None
    image_media_type: str | None
    title: str
    issuer: str
    lines: tuple[str, ...]  # further lines: the recipient, the date
    state: str
    state_text: str
    footer: str


@cache
def find_font(weight: str = "Bold") -> str | None:
    """The path of a font with Japanese glyphs, or ``None`` when the machine has none."""
    for candidate in _FONT_CANDIDATES:
        path = Path(candidate.format(weight=weight))
        if path.is_file():
            return str(path)
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [fc_match, "-f", "%{file}", f"Noto Sans CJK JP:style={weight}"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    # fc-match always answers with some font: keep it only if it is a CJK one.
    return found if "CJK" in found and Path(found).is_file() else None


def _font(size: int, weight: str = "Bold") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = find_font(weight)
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=0)  # index 0 of Noto's collections: JP


def _badge(card: ShareCard) -> Image.Image | None:
    """The badge as RGBA, fitted to ``_BADGE`` square, or ``None`` when it cannot be drawn."""
    if card.image is None:
        return None
    try:
        if card.image_media_type == "image/svg+xml":
            font = find_font("Regular")
            # Only the CJK font, as every generic family: scanning the system's fonts on
            # each call would cost more than the drawing.
            png = resvg_py.svg_to_bytes(
                svg_string=check_svg(card.image).decode("utf-8"),
                width=_BADGE,
                skip_system_fonts=font is not None,
                font_files=[font] if font else None,
                font_family="Noto Sans CJK JP",
                sans_serif_family="Noto Sans CJK JP",
                serif_family="Noto Sans CJK JP",
            )
            picture = Image.open(io.BytesIO(png))
        else:
            picture = Image.open(io.BytesIO(card.image), formats=["PNG"])
        picture.load()
    except (InvalidImageError, ValueError, OSError, Image.DecompressionBombError):
        return None
    badge = picture.convert("RGBA")
    # Fitted both ways: a small picture drawn at its own size is lost in the card's empty
    # space, which previews shrink further (LinkedIn shows the card about 550 pixels wide).
    scale = _BADGE / max(badge.size)
    if scale != 1:
        size = (max(1, round(badge.width * scale)), max(1, round(badge.height * scale)))
        badge = badge.resize(size, Image.Resampling.LANCZOS)
    return badge


def _placeholder(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int]) -> None:
    draw.rounded_rectangle(box, radius=36, fill=(255, 255, 255), outline=_MUTED, width=6)
    inner = (box[0] + 40, box[1] + 40, box[2] - 40, box[3] - 40)
    draw.ellipse(inner, outline=(180, 186, 198), width=10)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: int) -> list[str]:
    """Lines of at most ``width`` pixels: breaking at spaces, else between any characters."""
    lines: list[str] = []
    line = ""
    for char in text:
        if char == "\n":
            lines.append(line)
            line = ""
            continue
        if font.getlength(line + char) <= width:
            line += char
            continue
        head, space, tail = line.rpartition(" ")
        if space and head and char != " ":
            lines.append(head)
            line = tail + char
        else:
            lines.append(line)
            line = char.lstrip()
    if line:
        lines.append(line)
    return lines


def _clip(lines: list[str], most: int) -> list[str]:
    if len(lines) <= most:
        return lines
    return [*lines[: most - 1], lines[most - 1][:-1] + "…"]


def draw_share_card(card: ShareCard) -> bytes:
    """The card as PNG bytes, ``WIDTH`` x ``HEIGHT``."""
    canvas = Image.new("RGB", (WIDTH, HEIGHT), (246, 247, 249))
    draw = ImageDraw.Draw(canvas)
    draw.rectangle((0, HEIGHT - 70, WIDTH, HEIGHT), fill=(29, 36, 51))
    top = (HEIGHT - 70 - _BADGE) // 2
    box = (_MARGIN, top, _MARGIN + _BADGE, top + _BADGE)
    badge = _badge(card)
    if badge is None:
        _placeholder(draw, box)
    else:
        if card.state != "active":  # a badge no longer valid is shown faded
            alpha = badge.getchannel("A")
            badge = ImageOps.grayscale(badge).convert("RGBA")
            badge.putalpha(alpha.point(lambda value: value * 2 // 5))
        x = _MARGIN + (_BADGE - badge.width) // 2
        y = top + (_BADGE - badge.height) // 2
        canvas.paste(badge, (x, y), badge)

    y = top + 10
    if card.state in _BANDS:
        fill, ink = _BANDS[card.state]
        band_font = _font(34)
        draw.rounded_rectangle((_TEXT_LEFT, y, WIDTH - _MARGIN, y + 60), radius=12, fill=fill)
        draw.text((_TEXT_LEFT + 20, y + 8), card.state_text, font=band_font, fill=ink)
        y += 84
    issuer_font = _font(30, "Regular")
    for line in _clip(_wrap(card.issuer, issuer_font, _TEXT_WIDTH), 2):
        draw.text((_TEXT_LEFT, y), line, font=issuer_font, fill=_MUTED)
        y += 42
    y += 12
    title_font = _font(54)
    for line in _clip(_wrap(card.title, title_font, _TEXT_WIDTH), 3):
        draw.text((_TEXT_LEFT, y), line, font=title_font, fill=_INK)
        y += 70
    y += 16
    line_font = _font(32, "Regular")
    for text in card.lines:
        if y > HEIGHT - 130:
            break
        draw.text(
            (_TEXT_LEFT, y),
            _clip(_wrap(text, line_font, _TEXT_WIDTH), 1)[0],
            font=line_font,
            fill=_INK,
        )
        y += 46
    footer_font = _font(26, "Regular")
    draw.text((_MARGIN, HEIGHT - 52), card.footer, font=footer_font, fill=(255, 255, 255))
    out = io.BytesIO()
    canvas.save(out, format="PNG", compress_level=6)
    return out.getvalue()
