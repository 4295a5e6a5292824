"""Rules about taking part beyond posts: editing protocols and attending events."""

from datetime import timedelta
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Date, and_, bindparam, or_
from sqlmodel import Session, col, select

from app.events.models import Event, EventOccurrence, Rsvp, RsvpStatus
from app.protocols.models import ProtocolContributor
from app.recognition.rule_base import NOW, Grant, RuleContext, lacks, only, site_grants

# The local date by which a series' occurrence has begun wherever the event is (see below).
SERIES_STARTED_BY = bindparam("series_started_by", type_=Date)


def first_protocol_edit(session: Session, ctx: RuleContext) -> list[Grant]:
    """Credited with an edit of a protocol's document (what its "Written by" list shows).

    Every stored change with a person's id is counted there: live typing, form saves, restores
    and ticked action items. A site award with the badge's own wording as the reason, so a
    protocol in a private space is never named to people who cannot read it.
    """
    return site_grants(session, _first_protocol_edit(ctx.scoped), ctx)


@cache
def _first_protocol_edit(scoped: bool) -> Any:
    return (
        select(ProtocolContributor.user_id)
        .where(
            col(ProtocolContributor.edits) > 0,
            only(scoped, ProtocolContributor.user_id),
            lacks(ProtocolContributor.user_id),
        )
        .distinct()
    )


def _occurrence_started() -> ColumnElement[bool]:
    """The RSVP's occurrence has begun (cancelled ones never do).

    A moved occurrence has its own start; a one-off event starts at starts_at. A series'
    occurrence is named by its local date, and wherever the event's zone is, it has begun by
    two days after that date (UTC): the job grants it then at the latest, the check-in earlier.
    """
    series_started = col(Rsvp.occurrence_date) <= SERIES_STARTED_BY
    moved = col(EventOccurrence.starts_at).is_not(None)
    return and_(
        col(Event.cancelled_at).is_(None),
        col(EventOccurrence.cancelled_at).is_(None),
        or_(
            and_(moved, col(EventOccurrence.starts_at) <= NOW),
            and_(~moved, col(Event.rrule).is_(None), col(Event.starts_at) <= NOW),
            and_(~moved, col(Event.rrule).is_not(None), series_started),
        ),
    )


def first_meetup(session: Session, ctx: RuleContext) -> list[Grant]:
    """Checked in at an event (the explicit attendance record), or said "going" to one that
    has begun. A site award with a generic reason: events in private spaces stay unnamed."""
    series_started_by = (ctx.now - timedelta(days=2)).date()
    return site_grants(session, _first_meetup(ctx.scoped), ctx, series_started_by=series_started_by)


@cache
def _first_meetup(scoped: bool) -> Any:
    occurrence = and_(
        col(EventOccurrence.event_id) == Rsvp.event_id,
        col(EventOccurrence.occurrence_date) == Rsvp.occurrence_date,
    )
    attended = or_(
        col(Rsvp.checked_in_at).is_not(None),
        and_(col(Rsvp.status) == RsvpStatus.going, _occurrence_started()),
    )
    return (
        select(Rsvp.user_id)
        .join(Event, col(Event.id) == Rsvp.event_id)
        .outerjoin(EventOccurrence, occurrence)
        .where(attended, only(scoped, Rsvp.user_id), lacks(Rsvp.user_id))
        .distinct()
    )
