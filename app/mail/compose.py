"""Emails worded in the recipient's language from Jinja templates: a plain-text and an HTML part."""

from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.core.config import PROJECT_ROOT, get_settings
from app.core.i18n import in_locale, install_gettext
from app.mail.unsubscribe import unsubscribe_url


@cache
def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PROJECT_ROOT / "templates" / "email"),
        # Only the HTML part is escaped; the plain-text part shows names and titles as written.
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    install_gettext(env)
    return env


@dataclass
class Draft:
    """A message ready for the outbox."""

    to_address: str
    subject: str
    text_body: str
    html_body: str
    headers: dict[str, str] = field(default_factory=dict)
    ics: str | None = None

    def as_email(self, *, date: Any) -> EmailMessage:
        """Sent at once, not through the outbox (`agora mail test`)."""
        return email_message(**vars(self), message_id=new_message_id(), date=date)


def absolute(url: str) -> str:
    return get_settings().base_url.rstrip("/") + url if url.startswith("/") else url


def draft(
    template: str,
    *,
    to_address: str,
    locale: str,
    user_id: int | None = None,
    unsubscribe_kind: str | None = None,
    **context: Any,
) -> Draft:
    """Render `template`.txt and .html (the subject is the text part's first line)."""
    unsubscribe = (
        unsubscribe_url(user_id, unsubscribe_kind)
        if user_id is not None and unsubscribe_kind
        else None
    )
    context = {
        **context,
        "site_name": get_settings().site_name,
        "settings_url": absolute("/settings/notifications"),
        "unsubscribe_url": unsubscribe,
        "locale": locale,
    }
    env = _environment()
    with in_locale(locale):
        text = env.get_template(f"{template}.txt").render(context)
        html = env.get_template(f"{template}.html").render(context)
    subject, _newline, body = text.partition("\n")
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return Draft(
        to_address=to_address,
        subject=subject.strip()[:300],
        text_body=body.lstrip("\n"),
        html_body=html,
        headers=headers,
    )


def new_message_id() -> str:
    return make_msgid(domain=urlsplit(get_settings().base_url).hostname or "agora.local")


def email_message(
    *,
    to_address: str,
    subject: str,
    text_body: str,
    html_body: str,
    headers: dict[str, Any],
    message_id: str,
    date: Any,
    ics: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = get_settings().mail_from
    message["To"] = to_address
    message["Subject"] = subject
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(date)
    for name, value in headers.items():
        message[name] = value
    # Quoted-printable: long HTML lines and non-ASCII text stay within SMTP's line limit.
    message.set_content(text_body, cte="quoted-printable")
    message.add_alternative(html_body, subtype="html", cte="quoted-printable")
    if ics:
        message.add_attachment(
            ics.encode(), maintype="text", subtype="calendar", filename="event.ics"
        )
    return message
