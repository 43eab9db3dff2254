"""The SMTP URL forms, the login, and the headers of a message whatever the names hold."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email import policy
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from app.mail.inbox import Inbox
from app.mail.messages import Envelope, Notification, assemble, render_notification
from app.mail.transport import (
    PermanentMailError,
    SmtpTransport,
    SmtpUrl,
    TemporaryMailError,
    parse_smtp_url,
)
from app.serving import StartupError, check_startup
from app.settings import Settings

MESSAGE = b"From: a@example.jp\r\nTo: b@example.com\r\nSubject: x\r\n\r\nhello\r\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.example.jp", SmtpUrl("mail.example.jp", 25, False, False, None, None)),
        (
            "smtp://user:p%40ss@mail.example.jp:587?starttls=true",
            SmtpUrl("mail.example.jp", 587, False, True, "user", "p@ss"),
        ),
        ("smtps://u:pw@mail.example.jp", SmtpUrl("mail.example.jp", 465, True, False, "u", "pw")),
    ],
)
def test_the_documented_smtp_urls_are_read(url: str, expected: SmtpUrl) -> None:
    assert parse_smtp_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "http://mail.example.jp",
        "smtp://",
        "smtp://mail.example.jp?tls=yes",
        "smtps://mail.example.jp?starttls=true",
        "smtp://mail.example.jp?starttls=maybe",
        "smtp://mail.example.jp:port",
    ],
)
def test_a_bad_smtp_url_is_a_settings_error(url: str) -> None:
    with pytest.raises(ValidationError, match="SHOMEI_SMTP_URL"):
        Settings(_env_file=None, development=True, smtp_url=SecretStr(url))


@pytest.mark.parametrize("address", ["badges", "a@", "Name <a@example.jp>", "a@b\r\nBcc: c@d"])
def test_mail_from_must_be_a_bare_address(address: str) -> None:
    with pytest.raises(ValidationError, match="SHOMEI_MAIL_FROM"):
        Settings(_env_file=None, development=True, mail_from=address)


def test_the_transport_logs_in_and_a_wrong_password_is_retried_later() -> None:
    with Inbox(login=("shomei", "s3cret pass")) as inbox:
        good = SmtpTransport(
            parse_smtp_url(f"smtp://shomei:s3cret%20pass@127.0.0.1:{inbox.port}"), timeout=5
        )
        assert good.send("a@example.jp", "b@example.com", MESSAGE, utf8=False).startswith("250")
        good.close()
        bad = SmtpTransport(parse_smtp_url(f"smtp://shomei:nope@127.0.0.1:{inbox.port}"), timeout=5)
        with pytest.raises(TemporaryMailError, match="login refused: 535"):
            bad.send("a@example.jp", "b@example.com", MESSAGE, utf8=False)
        anonymous = SmtpTransport(parse_smtp_url(f"smtp://127.0.0.1:{inbox.port}"), timeout=5)
        with pytest.raises(TemporaryMailError, match="530"):
            anonymous.send("a@example.jp", "b@example.com", MESSAGE, utf8=False)
    assert len(inbox.received) == 1


def test_starttls_that_the_server_does_not_offer_is_not_skipped() -> None:
    with Inbox() as inbox:
        transport = SmtpTransport(
            parse_smtp_url(f"smtp://127.0.0.1:{inbox.port}?starttls=true"), timeout=5
        )
        with pytest.raises(TemporaryMailError, match="STARTTLS"):
            transport.send("a@example.jp", "b@example.com", MESSAGE, utf8=False)
    assert inbox.received == []


def test_one_connection_carries_a_refusal_and_the_next_mail() -> None:
    with Inbox() as inbox:
        transport = SmtpTransport(parse_smtp_url(inbox.url), timeout=5)
        inbox.reply_next("554 5.7.1 Message rejected")
        with pytest.raises(PermanentMailError, match=r"554 5\.7\.1 Message rejected"):
            transport.send("a@example.jp", "b@example.com", MESSAGE, utf8=False)
        assert transport.send("a@example.jp", "c@example.com", MESSAGE, utf8=False)
        transport.close()
    assert [r.rcpt_tos for r in inbox.received] == [("c@example.com",)]


def _message(issuer: str, name: str | None) -> email.message.EmailMessage:
    notification = Notification(
        lang="ja",
        issuer=issuer,
        achievement="生成AI活用検定",
        recipient_name=name,
        claim_url="https://badges.example.jp/claim/abc",
        expires_at=datetime(2027, 6, 5, 20, 0, tzinfo=UTC),
    )
    rendered = render_notification(notification)
    envelope = Envelope(
        from_name=issuer,
        from_address="badges@example.jp",
        to_address="p@example.com",
        to_name=name,
        message_id="<1@badges.example.jp>",
        date=datetime(2026, 12, 7, tzinfo=UTC),
        lang="ja",
    )
    parsed = email.message_from_bytes(assemble(envelope, rendered), policy=policy.default)
    assert isinstance(parsed, email.message.EmailMessage)
    return parsed


def test_an_issuer_name_cannot_add_headers_or_markup() -> None:
    message = _message('Evil"\r\nBcc: all@example.com\n<script>x</script>', None)
    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["From"].addresses] == ["badges@example.jp"]
    assert "\n" not in message["From"].addresses[0].display_name
    html = message.get_body(("html",))
    assert html is not None
    assert "<script>" not in str(html.get_content())
    assert "&lt;script&gt;" in str(html.get_content())


def test_the_expiry_date_is_japans() -> None:
    # 20:00 UTC on 5 June is already 6 June in Japan.
    body = _message("協会", "山田").get_body(("plain",))
    assert body is not None and "2027年6月6日 まで有効" in str(body.get_content())


def test_a_dkim_key_that_cannot_sign_stops_the_server_at_start(tmp_path: Path) -> None:
    broken = tmp_path / "dkim.pem"
    broken.write_text("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n")
    for key_file in (broken, tmp_path / "missing.pem"):
        settings = Settings(
            _env_file=None, development=True, dkim_key_file=key_file, dkim_selector="s1"
        )
        with pytest.raises(StartupError, match="SHOMEI_DKIM_KEY_FILE"):
            check_startup(settings)
    with pytest.raises(ValidationError, match="SHOMEI_DKIM_SELECTOR"):
        Settings(_env_file=None, development=True, dkim_key_file=broken)
