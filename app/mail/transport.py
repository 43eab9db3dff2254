"""Where mail goes: an SMTP server (``SHOMEI_SMTP_URL``), or ``.eml`` files in a directory.

``SHOMEI_SMTP_URL`` takes three forms, with an optional ``user:password@`` login
(percent-encoded, so ``p%40ss`` is ``p@ss``):

- ``smtp://host:25``: plain SMTP (port 25 by default);
- ``smtp://host:587?starttls=true``: STARTTLS, required (the send fails if the server does not
  offer it) — the usual submission port;
- ``smtps://host:465``: TLS from the first byte (RFC 8314, port 465 by default).

A failed send is classified as the server answered (RFC 5321 §4.2.1): a 4xx reply, a lost
connection or a timeout is temporary and retried; a 5xx reply is permanent. A refused login,
or a server that wants one (530), stronger authentication (534) or encryption (538), is a
problem of our configuration, not of the passer's mail (RFC 4954 §6): it is retried, so the
mail goes out once the operator fixes it.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit


class MailError(Exception):
    """A send failed; ``reply`` is the server's answer (or what went wrong) in one line."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class TemporaryMailError(MailError):
    """Worth trying again later: a 4xx reply, a lost connection, a timeout."""


class PermanentMailError(MailError):
    """Will never succeed as it is: a 5xx reply for this sender, recipient or message."""


@dataclass(frozen=True)
class SmtpUrl:
    host: str
    port: int
    tls: bool  # smtps: TLS from the start
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpUrl:
    """``smtp://[user:password@]host[:port][?starttls=true]`` or ``smtps://…``.

    Raises:
        ValueError: the URL is not one of the documented forms.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError("SHOMEI_SMTP_URL must start with smtp:// or smtps://")
    if not parts.hostname:
        raise ValueError("SHOMEI_SMTP_URL must name a host")
    query = parse_qs(parts.query)
    unknown = set(query) - {"starttls"}
    if unknown:
        raise ValueError(f"SHOMEI_SMTP_URL: unknown option {sorted(unknown)[0]!r}")
    starttls_values = query.get("starttls", ["false"])
    if starttls_values[-1].lower() not in ("true", "false", "1", "0", "yes", "no"):
        raise ValueError("SHOMEI_SMTP_URL: starttls must be true or false")
    starttls = starttls_values[-1].lower() in ("true", "1", "yes")
    tls = parts.scheme == "smtps"
    if tls and starttls:
        raise ValueError("SHOMEI_SMTP_URL: smtps:// is TLS already; drop starttls")
    try:
        port = parts.port or (465 if tls else 25)
    except ValueError:
        raise ValueError("SHOMEI_SMTP_URL: the port must be a number") from None
    return SmtpUrl(
        host=parts.hostname,
        port=port,
        tls=tls,
        starttls=starttls,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


class Transport(Protocol):
    def send(self, sender: str, recipient: str, message: bytes, *, utf8: bool) -> str:
        """Hand one message over; return the server's acceptance (or where it was written).

        Raises:
            TemporaryMailError, PermanentMailError
        """
        ...

    def close(self) -> None: ...

    @property
    def where(self) -> str:
        """Where mail goes, for the log (never a password)."""
        ...


# Replies that say our setup is wrong (RFC 4954 §6), whatever the mail: retried, not failed.
_OUR_CONFIGURATION = frozenset({530, 534, 538})


def _reply(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return f"{code} {' '.join(text.split())}"[:1000]


class SmtpTransport:
    """One connection, kept open for a run of sends and opened again after a failure."""

    def __init__(self, url: SmtpUrl, *, timeout: float, local_hostname: str | None = None):
        self._url = url
        self._timeout = timeout
        self._local_hostname = local_hostname
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        scheme = "smtps" if self._url.tls else "smtp"
        suffix = "?starttls=true" if self._url.starttls else ""
        return f"{scheme}://{self._url.host}:{self._url.port}{suffix}"

    def _connect(self) -> smtplib.SMTP:
        url, context = self._url, ssl.create_default_context()
        smtp: smtplib.SMTP
        if url.tls:
            smtp = smtplib.SMTP_SSL(
                url.host,
                url.port,
                timeout=self._timeout,
                context=context,
                local_hostname=self._local_hostname,
            )
        else:
            smtp = smtplib.SMTP(
                url.host, url.port, timeout=self._timeout, local_hostname=self._local_hostname
            )
        try:
            smtp.ehlo_or_helo_if_needed()
            if url.starttls:
                smtp.starttls(context=context)  # SMTPNotSupportedError if not offered
                smtp.ehlo()
            if url.username is not None:
                smtp.login(url.username, url.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, sender: str, recipient: str, message: bytes, *, utf8: bool) -> str:
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            return self._transaction(self._smtp, sender, recipient, message, utf8=utf8)
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            reply = _reply(error.smtp_code, error.smtp_error)
            raise TemporaryMailError(f"login refused: {reply}") from None
        except smtplib.SMTPNotSupportedError as error:
            self.close()
            raise TemporaryMailError(f"server does not support {error}") from None
        except smtplib.SMTPResponseException as error:
            # After a refusal the session is reset (RSET) and stays usable.
            reply = _reply(error.smtp_code, error.smtp_error)
            if error.smtp_code >= 500 and error.smtp_code not in _OUR_CONFIGURATION:
                raise PermanentMailError(reply) from None
            self.close()
            raise TemporaryMailError(reply) from None
        except (smtplib.SMTPException, OSError) as error:
            # Lost connection, refused connection, timeout, TLS failure.
            self.close()
            raise TemporaryMailError(f"{type(error).__name__}: {error}"[:1000]) from None

    @staticmethod
    def _transaction(
        smtp: smtplib.SMTP, sender: str, recipient: str, message: bytes, *, utf8: bool
    ) -> str:
        # smtplib.sendmail without its loss of the final reply, which we record.
        options = ["SMTPUTF8"] if utf8 else []
        if utf8 and not smtp.has_extn("smtputf8"):
            raise PermanentMailError("the server does not accept internationalized addresses")
        code, reply = smtp.mail(sender, options)
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.rcpt(recipient)
        if code not in (250, 251):
            smtp.rset()
            raise smtplib.SMTPResponseException(code, reply)
        code, reply = smtp.data(message)  # raises only if DATA itself is refused
        if code != 250:
            smtp.rset()
            raise smtplib.SMTPDataError(code, reply)
        return _reply(code, reply)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


class FileTransport:
    """Writes each message as ``<directory>/<date>-<id>.eml``: the development default."""

    def __init__(self, directory: Path):
        self.directory = directory

    @property
    def where(self) -> str:
        return str(self.directory.resolve())

    def send(self, sender: str, recipient: str, message: bytes, *, utf8: bool) -> str:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self.directory / f"{uuid.uuid4()}.eml"
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(message)
            temporary.replace(path)  # a reader never sees half a file
        except OSError as error:
            raise TemporaryMailError(f"{type(error).__name__}: {error}"[:1000]) from None
        return f"written to {path.resolve()}"

    def close(self) -> None:
        return None


def transport_for(smtp_url: str, outbox_dir: Path, *, timeout: float) -> Transport:
    """SMTP when ``smtp_url`` is set, else ``.eml`` files in ``outbox_dir``."""
    if smtp_url:
        return SmtpTransport(parse_smtp_url(smtp_url), timeout=timeout)
    return FileTransport(outbox_dir)
