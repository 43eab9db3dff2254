"""The share links of the badge page, parameter by parameter."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from app.credentials.share_links import (
    Certification,
    facebook_share,
    line_share,
    linkedin_add_to_profile,
    mail_share,
    x_post,
)

CERT = Certification(
    name="生成AI検定 1級 & <応用> #2",
    organization_name="AI検定協会 & Co.",
    organization_id=None,
    # 20:00 UTC on 31 March is 05:00 on 1 April in Tokyo.
    issued_at=datetime(2026, 3, 31, 20, 0, tzinfo=UTC),
    expires_at=None,
    cert_url="https://badges.example.jp/credentials/8f3c?x=1&y=2",
    cert_id="JP-2026-000123",
    time_zone="Asia/Tokyo",
)


def _params(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


def test_linkedin_gets_every_parameter_in_order_with_the_organization_name() -> None:
    url = linkedin_add_to_profile(CERT)
    assert url.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&")
    assert _params(url) == [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", CERT.name),
        ("organizationName", CERT.organization_name),
        ("issueYear", "2026"),
        ("issueMonth", "4"),  # the month in the issuer's time zone
        ("certUrl", CERT.cert_url),
        ("certId", "JP-2026-000123"),
    ]


def test_linkedin_values_are_percent_encoded_whole() -> None:
    query = urlsplit(linkedin_add_to_profile(CERT)).query
    # No raw reserved character of a value survives: & # < > space / : ? =
    assert "name=%E7%94%9F%E6%88%90AI%E6%A4%9C%E5%AE%9A%201%E7%B4%9A%20%26%20%3C" in query
    assert "%23" in query and "+" not in query
    assert "certUrl=https%3A%2F%2Fbadges.example.jp%2Fcredentials%2F8f3c%3Fx%3D1%26y%3D2" in query
    assert query.count("&") == 6  # seven parameters, nothing split by a value's "&"


def test_linkedin_prefers_the_organization_id_and_adds_the_expiry() -> None:
    cert = Certification(
        **{
            **CERT.__dict__,
            "organization_id": "12345678",
            "expires_at": datetime(2029, 12, 31, 16, 0, tzinfo=UTC),  # 1 January 2030 in Tokyo
        }
    )
    params = _params(linkedin_add_to_profile(cert))
    names = [name for name, _ in params]
    assert ("organizationId", "12345678") in params
    assert "organizationName" not in names
    assert ("expirationYear", "2030") in params and ("expirationMonth", "1") in params
    assert names == [
        *("startTask", "name", "organizationId", "issueYear", "issueMonth"),
        *("expirationYear", "expirationMonth", "certUrl", "certId"),
    ]


def test_without_an_expiry_linkedin_gets_no_empty_expiry_fields() -> None:
    names = [name for name, _ in _params(linkedin_add_to_profile(CERT))]
    assert "expirationYear" not in names and "expirationMonth" not in names


def test_the_month_follows_the_issuers_time_zone() -> None:
    utc = Certification(**{**CERT.__dict__, "time_zone": "UTC"})
    assert ("issueMonth", "3") in _params(linkedin_add_to_profile(utc))


def test_feed_share_links_carry_the_page_url_encoded() -> None:
    page = "https://badges.example.jp/credentials/8f3c"
    assert facebook_share(page) == (
        "https://www.facebook.com/sharer/sharer.php?u=https%3A%2F%2Fbadges.example.jp%2Fcredentials%2F8f3c"
    )
    assert line_share(page) == (
        "https://social-plugins.line.me/lineit/share?url=https%3A%2F%2Fbadges.example.jp%2Fcredentials%2F8f3c"
    )
    assert _params(x_post("合格 & 取得 #AI", page)) == [("text", "合格 & 取得 #AI"), ("url", page)]


def test_mail_link_has_no_address_and_encodes_spaces_as_percent_20() -> None:
    link = mail_share("AI 検定 & 合格", "見てください\nhttps://badges.example.jp/c/1")
    assert link.startswith("mailto:?subject=AI%20%E6%A4%9C%E5%AE%9A%20%26%20")
    assert "+" not in link and "%0A" in link
    assert _params(link.replace("mailto:", "http://x/")) == [
        ("subject", "AI 検定 & 合格"),
        ("body", "見てください\nhttps://badges.example.jp/c/1"),
    ]
