"""The verify page (``/verify``): the form, and the result card rendered on the server.

The page works with no script at all: the form posts to ``/verify`` and the answer is this
page again with the result above the form. ``static/verify.js`` improves it (drag and drop,
a call to the API, the result shown in place) and renders the same markup from the same texts
(:mod:`app.texts`, embedded as JSON). Every value that comes from a badge is
escaped; the Content-Security-Policy allows no inline script or style.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import cache
from html import escape
from importlib import resources
from typing import Literal

from app.texts import LANGS, Lang, check_label, check_sentence, status_word, table, ui
from app.verification.schemas import CheckResult, VerifyReport

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

_PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{title}</title>
<link rel="stylesheet" href="{css}">
<script src="{js}" defer></script>
</head>
<body>
<a class="skip" href="#main">{skip}</a>
<header class="top"><div class="wrap top-inner">
<a class="brand" href="/">Shomei <span lang="ja">証明</span></a>
<nav class="langs" aria-label="{language}">{switch}</nav>
</div></header>
<main id="main" class="wrap">
<h1>{heading}</h1>
<p class="lead">{lead}</p>
<div id="result" class="result" aria-live="polite">{result}</div>
<form id="verify-form" class="panel" method="post" action="/verify" enctype="multipart/form-data">
<input type="hidden" name="lang" value="{lang}">
<div class="drop" id="drop">
<label class="drop-label" for="file">{file_label}</label>
<p class="hint" id="file-hint">{file_hint}</p>
<input class="file" id="file" name="file" type="file" accept="{accept}"
 aria-describedby="file-hint">
<button class="link-button" id="file-clear" type="button" hidden>{file_clear}</button>
</div>
<p class="or"><span>{or_}</span></p>
<div class="field">
<label for="text">{text_label}</label>
<textarea id="text" name="text" rows="6" spellcheck="false" autocomplete="off" autocapitalize="off"
 aria-describedby="text-hint">{prefill}</textarea>
<p class="hint" id="text-hint">{text_hint}</p>
</div>
<div class="field">
<label for="email">{email_label}</label>
<input id="email" name="email" type="email" autocomplete="off" inputmode="email" value="{email}"
 aria-describedby="email-hint">
<p class="hint" id="email-hint">{email_hint}</p>
</div>
<div class="actions">
<button class="primary" id="submit" type="submit">{submit}</button>
<span class="busy" id="busy" role="status" hidden>{checking}</span>
</div>
</form>
<p class="privacy">{privacy}</p>
</main>
<script type="application/json" id="verify-texts">{texts}</script>
</body>
</html>
"""


_PAGE_WORDS = (
    *("title", "skip", "language", "heading", "lead", "file_label", "file_hint", "file_clear"),
    *("text_label", "text_hint", "email_label", "email_hint", "submit", "checking", "privacy"),
)


def render_page(lang: Lang, *, prefill: str = "", email: str = "", result: str = "") -> str:
    """The whole page; ``result`` is markup from :func:`render_report` or :func:`render_error`."""
    switch = "".join(
        f'<a href="/verify?lang={code}" lang="{code}" hreflang="{code}"'
        + (' aria-current="true"' if code == lang else "")
        + f">{name}</a>"
        for code, name in (("ja", "日本語"), ("en", "English"))
    )
    # "<" is escaped so that no badge text can close the data block early.
    texts = json.dumps(table(lang), ensure_ascii=False).replace("<", "\\u003c")
    words = {key: escape(ui(key, lang)) for key in _PAGE_WORDS}
    return _PAGE.format(
        lang=lang,
        css=_asset_url("verify.css"),
        js=_asset_url("verify.js"),
        switch=switch,
        result=result,
        accept=ACCEPT_FILES,
        or_=escape(ui("or", lang)),
        prefill=escape(prefill),
        email=escape(email),
        texts=texts,
        **words,
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
) -> str:
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
    checks = "".join(_check(c, lang) for c in report.checks)
    claims = ""
    if outcome != "valid":
        claims = f'<p class="claims">{escape(ui("claims_" + outcome, lang))}</p>'
    picture = image or _safe_image(report.summary.achievement.image, own_base)
    return (
        f'<section class="report" aria-labelledby="verdict">'
        f'<div class="verdict verdict--{outcome}">'
        f'<span class="verdict-mark" aria-hidden="true">{_verdict_mark(outcome)}</span>'
        f'<div><h2 id="verdict" tabindex="-1">{escape(ui("verdict_" + outcome, lang))}</h2>'
        f'<p class="verdict-text">{escape(explanation)}</p></div></div>'
        f"{claims}{_card(report, lang, picture)}"
        f'<h3 class="checks-title">{escape(ui("checks_title", lang))}</h3>'
        f'<ol class="checks">{checks}</ol></section>'
    )


def _verdict_mark(outcome: Verdict) -> str:
    return {"valid": "✓", "invalid": "✗", "unknown": "?"}[outcome]


def _card(report: VerifyReport, lang: Lang, picture: str | None) -> str:
    summary = report.summary
    name = summary.achievement.name or ui("unknown_value", lang)
    figure = (
        f'<img class="badge-image" src="{escape(picture)}" alt="{escape(name)}">'
        if picture
        else '<div class="badge-image badge-image--none" aria-hidden="true">?</div>'
    )
    description = summary.achievement.description
    rows = [
        (ui("issuer", lang), _issuer(report, lang)),
        (ui("recipient", lang), _recipient(report, lang)),
        (ui("issued", lang), _date(summary.issued, lang)),
        (
            ui("valid_until", lang),
            _date(summary.valid_until, lang)
            if summary.valid_until
            else escape(ui("no_expiry", lang)),
        ),
        (ui("status", lang), _status(report, lang)),
        (ui("format", lang), escape(ui(f"format_{report.format}", lang))),
    ]
    facts = "".join(f"<div><dt>{escape(k)}</dt><dd>{v}</dd></div>" for k, v in rows)
    return (
        f'<div class="card">{figure}<div class="card-body">'
        f'<p class="eyebrow">{escape(ui("achievement", lang))}</p>'
        f'<h3 class="badge-name">{escape(name)}</h3>'
        + (f'<p class="badge-description">{escape(description)}</p>' if description else "")
        + f'</div><dl class="facts">{facts}</dl></div>'
    )


def _issuer(report: VerifyReport, lang: Lang) -> str:
    issuer = report.summary.issuer
    name = escape(issuer.name or issuer.id or ui("unknown_value", lang))
    if issuer.url and issuer.url.startswith(("https://", "http://")):
        name = f'<a href="{escape(issuer.url)}" rel="noopener noreferrer nofollow">{name}</a>'
    if issuer.id and issuer.name:
        name += f'<span class="ident">{escape(issuer.id)}</span>'
    return name


def _recipient(report: VerifyReport, lang: Lang) -> str:
    recipient = report.summary.recipient
    parts = []
    if recipient.name:
        parts.append(escape(recipient.name))
    if recipient.identity:
        parts.append(f'<span class="ident">{escape(recipient.identity)}</span>')
    elif recipient.hashed:
        parts.append(f'<span class="muted">{escape(ui("hashed_identity", lang))}</span>')
    key, tone = {
        True: ("matched_yes", "good"),
        False: ("matched_no", "bad"),
        None: ("matched_none", "neutral"),
    }[recipient.matched]
    parts.append(f'<span class="pill pill--{tone}">{escape(ui(key, lang))}</span>')
    return " ".join(parts)


def _status(report: VerifyReport, lang: Lang) -> str:
    status = report.summary.status or "none"
    tone = {"active": "good", "revoked": "bad", "suspended": "bad"}.get(status, "neutral")
    return f'<span class="pill pill--{tone}">{escape(ui(f"status_{status}", lang))}</span>'


def _check(check: CheckResult, lang: Lang) -> str:
    return (
        f'<li class="check check--{check.status}" data-check="{escape(check.id)}">'
        f'<span class="check-mark" aria-hidden="true">{_MARKS.get(check.status, "?")}</span>'
        f'<div class="check-body"><p class="check-head">'
        f'<strong class="check-label">{escape(check_label(check.id, lang))}</strong> '
        f'<span class="check-status">{escape(status_word(check.status, lang))}</span></p>'
        f'<p class="check-sentence">'
        f"{escape(check_sentence(check.id, check.status, check.message, lang))}</p>"
        f"<details><summary>{escape(ui('details', lang))}</summary>"
        f'<p class="check-detail"><code>{escape(check.id)}</code> {escape(check.message)}</p>'
        f"</details></div></li>"
    )


def _date(value: str | None, lang: Lang) -> str:
    if not value:
        return escape(ui("unknown_value", lang))
    match = _DATE.match(value)
    if match is None or not 1 <= int(match[2]) <= 12:
        return escape(value)
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    shown = f"{year}年{month}月{day}日" if lang == "ja" else f"{day} {_MONTHS[month - 1]} {year}"
    return f'<time datetime="{escape(value)}">{shown}</time>'


def _safe_image(url: str | None, own_base: str) -> str | None:
    """Only images the page's CSP and a careful reader accept: https, ours, data:image."""
    if not url:
        return None
    if url.startswith("https://") or (own_base and url.startswith(own_base + "/")):
        return url
    return url if _IMAGE_DATA_URL.match(url) else None


def render_error(lang: Lang, detail: str, *, title_key: str = "error_title") -> str:
    """An error in place of a result (the request could not be read)."""
    return (
        f'<div class="alert" role="alert"><h2 id="verdict" tabindex="-1">'
        f"{escape(ui(title_key, lang))}</h2><p>{escape(detail)}</p></div>"
    )
