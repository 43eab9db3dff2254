"""The public HTML page of a credential: what was awarded, by whom, to whom, and its status.

The recipient's e-mail address never appears; the name does when the issuer gave one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape
from urllib.parse import quote, urlencode

from app import pages

_STATUS_TEXT = {
    "active": ("有効", "Valid"),
    "suspended": ("一時停止中", "Suspended"),
    "revoked": ("取り消し済み", "Revoked"),
}
_FORMAT_TEXT = {
    "ob3": "Open Badges 3.0 (Data Integrity, eddsa-rdfc-2022)",
    "ob3-jwt": "Open Badges 3.0 (VC-JWT)",
    "ob2": "Open Badges 2.0",
}
_STYLE = (
    "<style>.status{font-weight:700;padding:.4rem .8rem;border-radius:.5rem;display:inline-block}"
    ".status-active{background:#e3f4e8;color:#185c2c}"
    ".status-suspended{background:#fff4d6;color:#7a5200}"
    ".status-revoked{background:#fde2e1;color:#8a1c17}"
    "img.badge{max-width:12rem;height:auto;display:block;margin:0 auto 1rem}</style>"
)


@dataclass(frozen=True)
class CredentialPage:
    """What the page shows, gathered by the router."""

    achievement_name: str
    achievement_name_en: str | None
    achievement_description: str
    issuer_name: str
    issuer_profile_url: str
    recipient_name: str | None
    issued_at: datetime
    valid_until: datetime | None
    status: str
    revocation_reason: str | None
    format: str
    image_url: str | None
    public_url: str
    verify_url: str


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")


def render(view: CredentialPage, now: datetime) -> str:
    """The page, every value escaped."""
    ja, en = _STATUS_TEXT.get(view.status, (view.status, view.status))
    status_line = f"{ja} / {en}"
    if view.status == "revoked" and view.revocation_reason:
        status_line += f" — {view.revocation_reason}"
    if view.status == "active" and view.valid_until is not None and view.valid_until <= now:
        status_line = "期限切れ / Expired"
    rows: list[tuple[str, str]] = [("発行者 / Issuer", view.issuer_name)]
    if view.recipient_name:
        rows.append(("受領者 / Recipient", view.recipient_name))
    rows.append(("発行日 / Issued", _date(view.issued_at)))
    if view.valid_until is not None:
        rows.append(("有効期限 / Valid until", _date(view.valid_until)))
    rows.append(("形式 / Format", _FORMAT_TEXT.get(view.format, view.format)))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    image = (
        f'<img class="badge" src="{escape(view.image_url)}" alt="{escape(view.achievement_name)}">'
        if view.image_url
        else ""
    )
    verify_link = f"{view.verify_url}?url={quote(view.public_url, safe='')}"
    share = _share(view) if view.status == "active" else ""
    body = (
        _STYLE
        + "<section>"
        + image
        + f"<h1>{escape(view.achievement_name)}</h1>"
        + (
            f'<p lang="en">{escape(view.achievement_name_en)}</p>'
            if view.achievement_name_en
            else ""
        )
        + f'<p class="status status-{escape(view.status)}">{escape(status_line)}</p>'
        + f"<p>{escape(view.achievement_description)}</p>"
        + "</section>"
        + f"<section><dl>{details}</dl>"
        + f'<p><a href="{escape(view.issuer_profile_url)}">'
        + "発行者について / About the issuer</a></p></section>"
        + share
        + f'<section><p><a href="{escape(verify_link)}">'
        + "このバッジを検証する / Verify this badge</a>"
        + f' · <a href="{escape(view.public_url)}.json">JSON</a></p></section>'
    )
    return pages.page(view.achievement_name, body)


def _share(view: CredentialPage) -> str:
    """Download the badge (the credential baked in) and share its link: plain links only."""
    links: list[tuple[str, str, bool]] = []
    if view.image_url:
        links.append((view.image_url, "バッジ画像をダウンロード / Download the badge image", True))
    if view.format == "ob3-jwt":
        links.append(
            (f"{view.public_url}.jwt", "VC-JWT をダウンロード / Download the VC-JWT", True)
        )
    else:
        links.append((f"{view.public_url}.json", "JSON をダウンロード / Download the JSON", True))
    text = f"{view.achievement_name} — {view.issuer_name}"
    linkedin = "https://www.linkedin.com/profile/add?" + urlencode(
        {
            "startTask": "CERTIFICATION_NAME",
            "name": view.achievement_name,
            "organizationName": view.issuer_name,
            "issueYear": view.issued_at.year,
            "issueMonth": view.issued_at.month,
            "certUrl": view.public_url,
        }
    )
    links += [
        (linkedin, "LinkedIn のプロフィールに追加 / Add to LinkedIn", False),
        (
            "https://x.com/intent/post?" + urlencode({"text": text, "url": view.public_url}),
            "X で共有 / Share on X",
            False,
        ),
        (
            "mailto:?" + urlencode({"subject": text, "body": view.public_url}, quote_via=quote),
            "メールで送る / Send by e-mail",
            False,
        ),
    ]
    external = ' rel="noopener" target="_blank"'
    items = "".join(
        f'<li><a href="{escape(href)}"'
        + (" download" if download else "" if href.startswith("mailto:") else external)
        + f">{escape(label)}</a></li>"
        for href, label, download in links
    )
    return f"<section><h2>ダウンロードと共有 / Download and share</h2><ul>{items}</ul></section>"
