"""The public HTML page of a credential: what was awarded, by whom, to whom, and its status.

The recipient's e-mail address never appears; the name does when the issuer gave one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode

from app.templating import render as render_template
from app.texts import PUBLIC, both

_FORMAT_TEXT = {
    "ob3": "Open Badges 3.0 (Data Integrity, eddsa-rdfc-2022)",
    "ob3-jwt": "Open Badges 3.0 (VC-JWT)",
    "ob2": "Open Badges 2.0",
}


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
    """The page (the template escapes every value)."""
    status_line = (
        both(f"status_{view.status}") if f"status_{view.status}" in PUBLIC else view.status
    )
    if view.status == "revoked" and view.revocation_reason:
        status_line += f" — {view.revocation_reason}"
    if view.status == "active" and view.valid_until is not None and view.valid_until <= now:
        status_line = both("status_expired")
    rows: list[tuple[str, str]] = [(both("issuer"), view.issuer_name)]
    if view.recipient_name:
        rows.append((both("recipient"), view.recipient_name))
    rows.append((both("issued"), _date(view.issued_at)))
    if view.valid_until is not None:
        rows.append((both("valid_until"), _date(view.valid_until)))
    rows.append((both("format"), _FORMAT_TEXT.get(view.format, view.format)))
    return render_template(
        "credential.html",
        lang="ja",
        title=view.achievement_name,
        view=view,
        status_line=status_line,
        rows=rows,
        share=_share(view) if view.status == "active" else [],
        verify_link=f"{view.verify_url}?url={quote(view.public_url, safe='')}",
    )


@dataclass(frozen=True)
class _Link:
    href: str
    label: str  # a key of app.texts.PUBLIC
    download: bool = False
    external: bool = True


def _share(view: CredentialPage) -> list[_Link]:
    """Download the badge (the credential baked in) and share its link: plain links only."""
    links: list[_Link] = []
    if view.image_url:
        links.append(_Link(view.image_url, "download_image", download=True))
    if view.format == "ob3-jwt":
        links.append(_Link(f"{view.public_url}.jwt", "download_jwt", download=True))
    else:
        links.append(_Link(f"{view.public_url}.json", "download_json", download=True))
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
    post = "https://x.com/intent/post?" + urlencode({"text": text, "url": view.public_url})
    mail = "mailto:?" + urlencode({"subject": text, "body": view.public_url}, quote_via=quote)
    return [
        *links,
        _Link(linkedin, "share_linkedin"),
        _Link(post, "share_x"),
        _Link(mail, "share_mail", external=False),
    ]
