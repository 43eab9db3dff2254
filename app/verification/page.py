"""The verify page (``/verify``): the form, and the result card rendered on the server.

The page works with no script at all: the form posts to ``/verify`` and the answer is this
page again with the result above the form. ``static/verify.js`` improves it (drag and drop,
a call to the API, the result shown in place) and renders the same markup from the same texts
(:mod:`app.texts`, embedded as JSON). The markup is in ``app/templates/verify``, where
autoescape escapes every value that comes from a badge; the Content-Security-Policy allows
no inline script or style.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from importlib import resources
from typing import Literal

from markupsafe import Markup

from app.templating import render
from app.texts import LANGS, Lang, check_label, table, ui
from app.verification.schemas import VerifyReport

__all__ = [
    "CSP",
    "Verdict",
    "asset",
    "choose_language",
    "render_error",
    "render_page",
    "render_report",
    "verdict",
]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob: https:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
ASSETS = {"verify.css": "text/css; charset=utf-8", "verify.js": "text/javascript; charset=utf-8"}
ACCEPT_FILES = ".png,.svg,.json,.jwt,.jws,.txt,image/png,image/svg+xml,application/json"
_IMAGE_DATA_URL = re.compile(r"data:image/(png|svg\+xml|jpeg|gif|webp)[;,]", re.IGNORECASE)
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_MONTHS = [
    *("January", "February", "March", "April", "May", "June"),
    *("July", "August", "September", "October", "November", "December"),
]
_MARKS = {"passed": "✓", "failed": "✗", "warning": "!", "indeterminate": "?", "skipped": "\u2013"}

Verdict = Literal["valid", "invalid", "unknown"]


# --- language --------------------------------------------------------------------------


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> Lang:
    """``?lang=`` first, then the remembered choice, then the browser's preference; else ja."""
    for choice in (query, cookie):
        if choice in LANGS:
            return choice
    best: tuple[float, int, Lang] | None = None
    for position, item in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = item.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in LANGS:
            continue
        quality = 1.0
        match = re.search(r"q=([^;\s]*)", params)
        if match:
            try:
                quality = float(match[1])
            except ValueError:
                quality = 0.0
        if quality > 0 and (best is None or (quality, -position) > (best[0], best[1])):
            best = (quality, -position, primary)
    return best[2] if best else "ja"


# --- assets ------------------------------------------------------------------------------


@cache
def asset(name: str) -> tuple[bytes, str, str]:
    """A static file of the page: (content, media type, short content hash).

    Raises:
        KeyError: not one of the page's assets.
    """
    media_type = ASSETS[name]
    content = resources.files("app.verification").joinpath("static", name).read_bytes()
    return content, media_type, hashlib.sha256(content).hexdigest()[:12]


def _asset_url(name: str) -> str:
    return f"/verify/assets/{name}?v={asset(name)[2]}"


# --- the page ----------------------------------------------------------------------------


def render_page(
    lang: Lang, *, prefill: str = "", email: str = "", result: Markup | None = None
) -> str:
    """The whole page; ``result`` is markup from :func:`render_report` or :func:`render_error`."""
    return render(
        "verify/page.html",
        lang=lang,
        css=_asset_url("verify.css"),
        js=_asset_url("verify.js"),
        result=result or "",
        accept=ACCEPT_FILES,
        prefill=prefill,
        email=email,
        texts=table(lang),
    )


# --- the result --------------------------------------------------------------------------


def verdict(report: VerifyReport) -> Verdict:
    """Valid; not valid (a check failed); or could not check (some stayed undecided)."""
    if report.ok:
        return "valid"
    if any(c.status == "failed" for c in report.checks):
        return "invalid"
    return "unknown"


def render_report(
    report: VerifyReport, lang: Lang, *, image: str | None = None, own_base: str = ""
) -> Markup:
    """The result card and the checks.

    ``image`` overrides the achievement image (the uploaded image as a data URL); images at
    ``own_base`` are shown even when it is plain http.
    """
    outcome = verdict(report)
    explanation = ui("explain_valid", lang)
    if outcome != "valid":
        wanted = "failed" if outcome == "invalid" else "indeterminate"
        names = [check_label(c.id, lang) for c in report.checks if c.status == wanted]
        separator = "、" if lang == "ja" else ", "
        explanation = ui(f"explain_{outcome}", lang).format(checks=separator.join(names))
    return Markup(  # noqa: S704 - rendered by an autoescaping template
        render(
            "verify/report.html",
            lang=lang,
            report=report,
            outcome=outcome,
            explanation=explanation,
            picture=image or _safe_image(report.summary.achievement.image, own_base),
            marks=_MARKS,
            shown_date=lambda value: _shown_date(value, lang),
        )
    )


def _shown_date(value: str, lang: Lang) -> str | None:
    """A date as a reader of ``lang`` writes it, or ``None`` when it is not one."""
    match = _DATE.match(value)
    if match is None or not 1 <= int(match[2]) <= 12:
        return None
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    return f"{year}年{month}月{day}日" if lang == "ja" else f"{day} {_MONTHS[month - 1]} {year}"


def _safe_image(url: str | None, own_base: str) -> str | None:
    """Only images the page's CSP and a careful reader accept: https, ours, data:image."""
    if not url:
        return None
    if url.startswith("https://") or (own_base and url.startswith(own_base + "/")):
        return url
    return url if _IMAGE_DATA_URL.match(url) else None


def render_error(lang: Lang, detail: str, *, title_key: str = "error_title") -> Markup:
    """An error in place of a result (the request could not be read)."""
    return Markup(  # noqa: S704 - rendered by an autoescaping template
        render("verify/error.html", lang=lang, detail=detail, title_key=title_key)
    )
