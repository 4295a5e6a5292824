"""Talking to the SMTP server named by AGORA_SMTP_URL (the standard library's smtplib)."""

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import getaddresses
from urllib.parse import parse_qs, unquote, urlsplit


class MailError(Exception):
    """The server could not be reached or refused the message; the text says what it said."""


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool


def parse_smtp_url(url: str) -> SmtpServer:
    """smtp://user:password@host:port, smtps:// for implicit TLS, ?starttls=true to upgrade."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(
            f"AGORA_SMTP_URL must look like smtp://user:password@host:port, not {url!r}"
        )
    query = parse_qs(parts.query)
    starttls = query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes")
    implicit = parts.scheme == "smtps"
    try:
        port = parts.port or (465 if implicit else 25)
    except ValueError as exc:
        raise MailError(f"AGORA_SMTP_URL has an invalid port: {exc}") from None
    return SmtpServer(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit,
        starttls=starttls and not implicit,
    )


def send_message(url: str, message: EmailMessage, *, timeout: float) -> str:
    """Send one message; returns the server's answer to it, raises MailError on any failure."""
    server = parse_smtp_url(url)
    context = ssl.create_default_context()
    try:
        client: smtplib.SMTP
        if server.implicit_tls:
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=timeout)
        with client:
            if server.starttls:
                client.starttls(context=context)
            if server.username:
                client.login(server.username, server.password or "")
            return _deliver(client, message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"{type(exc).__name__}: {exc}"[:500]) from exc


def _deliver(client: smtplib.SMTP, message: EmailMessage) -> str:
    # Step by step rather than send_message(): the server's answer to the message itself is
    # what `agora mail test` reports (it often carries the queue id).
    sender = getaddresses([str(message["From"])])[0][1]
    recipients = [address for _name, address in getaddresses([str(message["To"])])]
    client.ehlo_or_helo_if_needed()
    code, answer = client.mail(sender)
    if code != 250:
        raise smtplib.SMTPSenderRefused(code, answer, sender)
    for recipient in recipients:
        code, answer = client.rcpt(recipient)
        if code not in (250, 251):
            raise smtplib.SMTPRecipientsRefused({recipient: (code, answer)})
    code, answer = client.data(message.as_bytes(policy=SMTP))
    if code != 250:
        raise smtplib.SMTPDataError(code, answer)
    return f"{code} {answer.decode(errors='replace')}"
