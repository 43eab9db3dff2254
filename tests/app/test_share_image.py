"""The share card: drawn from PNG and SVG badges, and from what cannot be drawn."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from app.credentials import share_image
from app.credentials.share_image import ShareCard, draw_share_card
from tests.app.test_credentials import SVG_IMAGE, png_image

BLUE = (29, 78, 216)


def _card(image: bytes | None, media: str | None, state: str = "active") -> ShareCard:
    return ShareCard(
        image=image,
        image_media_type=media,
        title="生成AI活用検定 ジェネラリスト & <b>応用</b>" * 2,
        issuer="一般社団法人 AIリテラシー検定協会",
        lines=("山田 太郎", "2026年4月1日 発行"),
        state=state,
        state_text="取り消し済み" if state == "revoked" else "",
        footer="Open Badges · badges.example.jp",
    )


def _drawn(card: ShareCard) -> Image.Image:
    picture = Image.open(io.BytesIO(draw_share_card(card)))
    assert (picture.format, picture.size) == ("PNG", (share_image.WIDTH, share_image.HEIGHT))
    return picture.convert("RGB")


def _badge_pixels(picture: Image.Image) -> set[tuple[int, int, int]]:
    area = picture.crop((60, 80, 480, 480))
    return {area.getpixel((x, y)) for x in range(0, 420, 7) for y in range(0, 400, 7)}  # type: ignore[misc]


def _blue_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), BLUE).save(out, format="PNG")
    return out.getvalue()


def test_a_png_badge_is_drawn_on_the_card() -> None:
    assert BLUE in _badge_pixels(_drawn(_card(_blue_png(), "image/png")))


@pytest.mark.parametrize("side", [96, 1024])
def test_a_small_or_large_badge_fills_its_square(side: int) -> None:
    out = io.BytesIO()
    Image.new("RGB", (side, side), BLUE).save(out, format="PNG")
    picture = _drawn(_card(out.getvalue(), "image/png"))
    blue = [
        (x, y)
        for x in range(0, share_image.WIDTH // 2, 4)
        for y in range(0, share_image.HEIGHT, 4)
        if picture.getpixel((x, y)) == BLUE
    ]
    xs, ys = [x for x, _ in blue], [y for _, y in blue]
    assert max(xs) - min(xs) >= 410 and max(ys) - min(ys) >= 410  # the whole 420 box


def test_a_no_longer_valid_badge_is_drawn_faded() -> None:
    assert BLUE not in _badge_pixels(_drawn(_card(_blue_png(), "image/png", "revoked")))


def test_an_svg_badge_is_rasterised() -> None:
    plain = _badge_pixels(_drawn(_card(None, None)))
    svg = _badge_pixels(_drawn(_card(SVG_IMAGE, "image/svg+xml")))
    assert svg != plain


@pytest.mark.parametrize(
    ("data", "media"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "image/svg+xml",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="file:///etc/hostname" width="10" height="10"/></svg>',
            "image/svg+xml",
        ),
        (b"<svg", "image/svg+xml"),
        (b"\x89PNG\r\n\x1a\n broken", "image/png"),
        (None, None),
    ],
    ids=["script", "external-file", "broken-svg", "broken-png", "none"],
)
def test_what_cannot_be_drawn_safely_becomes_a_framed_placeholder(
    data: bytes | None, media: str | None
) -> None:
    placeholder = _badge_pixels(_drawn(_card(None, None)))
    assert _badge_pixels(_drawn(_card(data, media))) == placeholder


def test_without_a_cjk_font_the_card_is_still_drawn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(share_image, "find_font", lambda weight="Bold": None)
    _drawn(_card(png_image(), "image/png"))
    _drawn(_card(SVG_IMAGE, "image/svg+xml"))


def test_a_cjk_font_is_found_where_debian_installs_it() -> None:
    found = share_image.find_font()
    if found is None:
        pytest.skip("no Noto Sans CJK on this machine (Debian: fonts-noto-cjk)")
    assert "CJK" in found
