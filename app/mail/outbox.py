"""The outbox: messages queued with their cause, delivered by a job, retried, never sent twice.

Delivery claims a batch in one short transaction (a conditional UPDATE, so two processes never
claim the same message), talks to the SMTP server with no transaction open, then records each
outcome in a short transaction of its own. A sender that dies mid-batch lets its claim lapse and
the messages are tried again: the one window in which a message can go out twice is a crash
between the server's "250 OK" and that record, and then it carries the same Message-ID.
"""

import logging
import secrets
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import ColumnElement, delete, func, literal, or_, update
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.db import utcnow
from app.mail.compose import Draft, email_message, new_message_id
from app.mail.models import OutboxMessage
from app.mail.transport import MailError, send_message
from app.people.models import User
from app.spaces.access import readable_space_ids_of

log = logging.getLogger("agora.mail")

BATCH = 50
# Longer than a batch can take (each message at most the SMTP timeout a few times over).
CLAIM_SECONDS = 15 * 60
MAX_ATTEMPTS = 10
FIRST_RETRY_SECONDS = 60
LONGEST_RETRY_SECONDS = 6 * 3600


def queue(
    session: Session, draft: Draft, *, kind: str, user_id: int | None, space_id: int | None = None
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (it leaves only if that commits)."""
    row = OutboxMessage(
        user_id=user_id,
        space_id=space_id,
        kind=kind,
        to_address=draft.to_address,
        subject=draft.subject,
        text_body=draft.text_body,
        html_body=draft.html_body,
        headers=draft.headers,
        ics=draft.ics,
        message_id=new_message_id(),
    )
    session.add(row)
    return row


def retry_delay(attempts: int) -> timedelta:
    """Doubling from a minute, at most six hours."""
    seconds = FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, LONGEST_RETRY_SECONDS))


def _due(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(OutboxMessage.sent_at).is_(None),
        col(OutboxMessage.parked_at).is_(None),
        col(OutboxMessage.next_attempt_at) <= now,
        or_(col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now),
    )


def _may_receive(session: Session, row: OutboxMessage) -> bool:
    # Checked when sending, not only when queued: a person deactivated, or who left the private
    # space the message tells of, in the meantime receives nothing.
    if row.user_id is None:
        return True
    query = select(User.id).where(col(User.id) == row.user_id, col(User.is_active))
    if row.space_id is not None:
        query = query.where(literal(row.space_id).in_(readable_space_ids_of(row.user_id)))
    return session.exec(query).first() is not None


def _claim(session: Session, now: datetime, limit: int) -> tuple[str, list[OutboxMessage]]:
    token = secrets.token_hex(16)
    due_ids = (
        select(OutboxMessage.id).where(*_due(now)).order_by(col(OutboxMessage.id)).limit(limit)
    )
    session.exec(
        update(OutboxMessage)
        # The conditions again on the row itself: PostgreSQL re-checks them on a row another
        # sender claimed while this statement waited for it, and then leaves it alone.
        .where(col(OutboxMessage.id).in_(due_ids), *_due(now))
        .values(claim_token=token, claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )
    claimed = list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.claim_token) == token)
            .order_by(col(OutboxMessage.id))
        ).all()
    )
    return token, claimed


def _record(session: Session, row_id: int, token: str, **values: object) -> None:
    session.exec(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == row_id, col(OutboxMessage.claim_token) == token)
        .values(claim_token=None, claimed_until=None, **values)
    )
    session.commit()


def deliver_outbox(session: Session, *, now: datetime | None = None, limit: int = BATCH) -> int:
    """Send what is due; returns how many messages the server accepted."""
    settings = get_settings()
    if not settings.mail_enabled:
        return 0
    now = now or utcnow()
    token, claimed = _claim(session, now, limit)
    # Everything needed from the rows is read now: nothing touches the database while sending.
    batch = [
        (row.id, row.attempts, row.to_address, _may_receive(session, row), _message_of(row))
        for row in claimed
    ]
    session.commit()  # no transaction stays open while the SMTP server is talked to
    sent = 0
    server_down: str | None = None
    for row_id, attempts, to_address, allowed, message in batch:
        assert row_id is not None
        if server_down is not None:  # the rest of the batch waits, without an attempt counted
            _record(
                session,
                row_id,
                token,
                last_error=server_down,
                next_attempt_at=utcnow() + retry_delay(attempts + 1),
            )
            continue
        if not allowed:
            _record(session, row_id, token, parked_at=now, last_error="withheld: not readable")
            continue
        try:
            send_message(settings.smtp_url, message, timeout=settings.smtp_timeout_seconds)
        except MailError as exc:
            attempts += 1
            if isinstance(exc.__cause__, OSError):
                server_down = str(exc)[:500]
            log.warning("mail %s to %s failed (%s): %s", row_id, to_address, attempts, exc)
            _record(
                session,
                row_id,
                token,
                attempts=attempts,
                last_error=str(exc)[:500],
                next_attempt_at=utcnow() + retry_delay(attempts),
                parked_at=utcnow() if attempts >= MAX_ATTEMPTS else None,
            )
            continue
        _record(session, row_id, token, sent_at=utcnow(), attempts=attempts + 1)
        sent += 1
    return sent


def _message_of(row: OutboxMessage) -> EmailMessage:
    return email_message(
        to_address=row.to_address,
        subject=row.subject,
        text_body=row.text_body,
        html_body=row.html_body,
        headers=row.headers,
        ics=row.ics,
        message_id=row.message_id,
        date=row.created_at,
    )


def parked_messages(session: Session, *, limit: int = 50) -> list[OutboxMessage]:
    """Messages given up on, newest first (the admin's mail page)."""
    return list(
        session.exec(
            select(OutboxMessage)
            .where(col(OutboxMessage.parked_at).is_not(None))
            .order_by(col(OutboxMessage.parked_at).desc(), col(OutboxMessage.id).desc())
            .limit(limit)
        ).all()
    )


def waiting_count(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(OutboxMessage)
            .where(col(OutboxMessage.sent_at).is_(None), col(OutboxMessage.parked_at).is_(None))
        ).one()
    )


def forget_person(session: Session, *, user_id: int | None, email: str, names: list[str]) -> None:
    """Delete every message to the person or naming them, sent or not: a sent message's copy
    here is personal data too, and one still waiting must not tell of them after erasure."""
    session.execute(
        delete(OutboxMessage).where(
            or_(
                col(OutboxMessage.user_id) == user_id,
                func.lower(col(OutboxMessage.to_address)) == email.lower(),
                *(
                    func.lower(column).contains(name.lower(), autoescape=True)
                    for name in [*names, email]
                    for column in (
                        OutboxMessage.subject,
                        OutboxMessage.text_body,
                        OutboxMessage.html_body,
                    )
                ),
            )
        )
    )
