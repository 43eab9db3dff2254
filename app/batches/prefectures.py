"""Japan's 47 prefectures in JIS X 0401 order, and reading one from a spreadsheet cell.

A cell may hold the code (``13``, ``1`` or ``01``), the name (``東京都``, or ``東京`` without
the suffix), or the romanised name (``Tokyo``, ``Tokyo-to``, ``Tokyo Prefecture``). Codes:
JIS X 0401, as listed by the Ministry of Internal Affairs and Communications
(https://www.soumu.go.jp/denshijiti/code.html).
"""

from __future__ import annotations

import unicodedata
from typing import Final, NamedTuple

__all__ = ["OVERSEAS_WORDS", "PREFECTURES", "Prefecture", "parse_prefecture"]


class Prefecture(NamedTuple):
    code: int
    ja: str
    en: str


PREFECTURES: Final[tuple[Prefecture, ...]] = tuple(
    Prefecture(code, ja, en)
    for code, (ja, en) in enumerate(
        (
            ("北海道", "Hokkaido"),
            ("青森県", "Aomori"),
            ("岩手県", "Iwate"),
            ("宮城県", "Miyagi"),
            ("秋田県", "Akita"),
            ("山形県", "Yamagata"),
            ("福島県", "Fukushima"),
            ("茨城県", "Ibaraki"),
            ("栃木県", "Tochigi"),
            ("群馬県", "Gunma"),
            ("埼玉県", "Saitama"),
            ("千葉県", "Chiba"),
            ("東京都", "Tokyo"),
            ("神奈川県", "Kanagawa"),
            ("新潟県", "Niigata"),
            ("富山県", "Toyama"),
            ("石川県", "Ishikawa"),
            ("福井県", "Fukui"),
            ("山梨県", "Yamanashi"),
            ("長野県", "Nagano"),
            ("岐阜県", "Gifu"),
            ("静岡県", "Shizuoka"),
            ("愛知県", "Aichi"),
            ("三重県", "Mie"),
            ("滋賀県", "Shiga"),
            ("京都府", "Kyoto"),
            ("大阪府", "Osaka"),
            ("兵庫県", "Hyogo"),
            ("奈良県", "Nara"),
            ("和歌山県", "Wakayama"),
            ("鳥取県", "Tottori"),
            ("島根県", "Shimane"),
            ("岡山県", "Okayama"),
            ("広島県", "Hiroshima"),
            ("山口県", "Yamaguchi"),
            ("徳島県", "Tokushima"),
            ("香川県", "Kagawa"),
            ("愛媛県", "Ehime"),
            ("高知県", "Kochi"),
            ("福岡県", "Fukuoka"),
            ("佐賀県", "Saga"),
            ("長崎県", "Nagasaki"),
            ("熊本県", "Kumamoto"),
            ("大分県", "Oita"),
            ("宮崎県", "Miyazaki"),
            ("鹿児島県", "Kagoshima"),
            ("沖縄県", "Okinawa"),
        ),
        start=1,
    )
)

# Cells that say "not in Japan": stored as no prefecture, which statistics count as
# "overseas/unknown".
OVERSEAS_WORDS: Final = frozenset({"海外", "国外", "overseas", "abroad"})

_EN_SUFFIXES: Final = ("-to", "-do", "-fu", "-ken", " to", " do", " fu", " ken", " prefecture")


def _names() -> dict[str, int]:
    names: dict[str, int] = {}
    for code, ja, en in PREFECTURES:
        names[ja] = code
        # 東京 for 東京都; 北海道 keeps its name (道 is part of it, and "北海" names nothing).
        if ja != "北海道":
            names[ja[:-1]] = code
        names[en.lower()] = code
    return names


_NAMES: Final = _names()


def _folded(text: str) -> str:
    # Full-width digits and letters become ASCII; macrons (Tōkyō) are dropped.
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def parse_prefecture(text: str) -> tuple[bool, int | None]:
    """``(True, code)`` for a prefecture, ``(True, None)`` for blank or overseas, else
    ``(False, None)``."""
    if not text:
        return True, None
    folded = _folded(text)
    if folded.isascii() and folded.isdigit():
        code = int(folded)
        return (True, code) if 1 <= code <= len(PREFECTURES) else (False, None)
    if folded in OVERSEAS_WORDS:
        return True, None
    # The Japanese names are matched on the NFC text (NFKD splits kana with dakuten).
    for candidate in (unicodedata.normalize("NFKC", text.strip()), folded):
        if candidate in _NAMES:
            return True, _NAMES[candidate]
    for suffix in _EN_SUFFIXES:
        if folded.endswith(suffix) and folded.removesuffix(suffix) in _NAMES:
            return True, _NAMES[folded.removesuffix(suffix)]
    return False, None
