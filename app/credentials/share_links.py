"""The links on a badge page that hand it to other services: LinkedIn, X, Facebook, LINE, mail.

Each is a plain URL (no script of theirs on our page), every value percent-encoded as UTF-8:
a name with ``&``, ``#`` or spaces must not break the link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

__all__ = [
    "Certification",
    "facebook_share",
    "line_share",
    "linkedin_add_to_profile",
    "mail_share",
    "x_post",
]

# LinkedIn "Add to Profile" for certifications (https://addtoprofile.linkedin.com/): the
# form of "Licenses & certifications", filled in from these parameters.
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"
# X Web Intent (https://developer.x.com/en/docs/x-for-websites/tweet-button/guides/web-intent).
X_INTENT = "https://x.com/intent/post"
# Facebook's share dialog by URL: the card comes from the page's Open Graph tags
# (https://developers.facebook.com/docs/sharing/reference/share-dialog).
FACEBOOK_SHARER = "https://www.facebook.com/sharer/sharer.php"
# LINE share button (https://developers.line.biz/en/docs/line-social-plugins/install-guide/using-line-share-buttons/).
LINE_SHARE = "https://social-plugins.line.me/lineit/share"


@dataclass(frozen=True)
class Certification:
    """What LinkedIn's form asks for."""

    name: str
    organization_name: str
    organization_id: str | None
    issued_at: datetime
    expires_at: datetime | None
    cert_url: str
    cert_id: str
    time_zone: str


def linkedin_add_to_profile(cert: Certification) -> str:
    """LinkedIn's "Add to profile" link, prefilled.

    ``organizationId`` (the issuer's company page) when configured, else
    ``organizationName``; issue and expiry as year and month in the issuer's time zone (a
    badge issued at 20:00 UTC on 31 March is April in Japan); the expiry only when there is
    one, since LinkedIn reads an empty value as a date.
    """
    zone = ZoneInfo(cert.time_zone)
    issued = cert.issued_at.astimezone(zone)
    params: list[tuple[str, str]] = [("startTask", "CERTIFICATION_NAME"), ("name", cert.name)]
    if cert.organization_id:
        params.append(("organizationId", cert.organization_id))
    else:
        params.append(("organizationName", cert.organization_name))
    params += [("issueYear", str(issued.year)), ("issueMonth", str(issued.month))]
    if cert.expires_at is not None:
        expires = cert.expires_at.astimezone(zone)
        params += [("expirationYear", str(expires.year)), ("expirationMonth", str(expires.month))]
    params += [("certUrl", cert.cert_url), ("certId", cert.cert_id)]
    return f"{LINKEDIN_ADD}?{_query(params)}"


def x_post(text: str, url: str) -> str:
    """A post on X with ``text`` and the page's link (X shortens the link itself)."""
    return f"{X_INTENT}?{_query([('text', text), ('url', url)])}"


def facebook_share(url: str) -> str:
    return f"{FACEBOOK_SHARER}?{_query([('u', url)])}"


def line_share(url: str) -> str:
    return f"{LINE_SHARE}?{_query([('url', url)])}"


def mail_share(subject: str, body: str) -> str:
    """A ``mailto:`` link with no address, a subject and a body (RFC 6068 §2: %20, not +)."""
    return f"mailto:?{_query([('subject', subject), ('body', body)])}"


def _query(params: list[tuple[str, str]]) -> str:
    # Every reserved character encoded (``/`` and ``:`` of a URL value too), spaces as %20.
    return urlencode(params, quote_via=quote, safe="")
