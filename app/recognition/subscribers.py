"""What recognition does because of other domains' facts: badges an action may have earned.

Each subscriber is the cheap "right after an action" check (see service.after_action); the badge
job catches anything missed. They run in the publisher's transaction (app/core/domain_events.py).
"""

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.core.domain_events import (
    CheckedIn,
    CommentCreated,
    ContributionStarting,
    PersonErasing,
    PostCreated,
    ProtocolSaved,
    ReactionAdded,
    RsvpChanged,
    subscriber,
)
from app.events.models import RsvpStatus
from app.people.erasure import name_pattern, name_terms, without_person
from app.protocols.models import ProtocolContributor
from app.recognition.models import Kudos
from app.recognition.service import after_action, after_contribution, take_contribution_turn


@subscriber(ContributionStarting)
def take_early_adopter_turn(session: Session, fact: ContributionStarting) -> None:
    # A lock, not a side effect: published before the row is inserted, so places go by the
    # order in which contributions were made.
    take_contribution_turn(session, space_id=fact.space_id)


@subscriber(PostCreated)
def after_post(session: Session, fact: PostCreated) -> None:
    after_contribution(session, user=fact.author, space_id=fact.post.space_id)


@subscriber(CommentCreated)
def after_comment(session: Session, fact: CommentCreated) -> None:
    after_contribution(session, user=fact.author, space_id=fact.post.space_id, comment_on=fact.post)


@subscriber(ReactionAdded)
def after_reaction(session: Session, fact: ReactionAdded) -> None:
    author_id = fact.post.author_id
    if author_id is not None and author_id != fact.user.id:
        # "Helpful" counts reactions received: only the author can have earned it.
        after_action(session, action="reaction", user_ids=[author_id])


@subscriber(RsvpChanged)
def after_rsvp(session: Session, fact: RsvpChanged) -> None:
    if fact.status == RsvpStatus.going and fact.under_way:
        # Joining a meetup that is under way counts as taking part (first-meetup badge).
        after_action(session, action="attendance", user_ids=[fact.user.id])  # type: ignore[list-item]


@subscriber(CheckedIn)
def after_check_in(session: Session, fact: CheckedIn) -> None:
    after_action(session, action="attendance", user_ids=[fact.user.id])  # type: ignore[list-item]


@subscriber(ProtocolSaved)
def after_protocol_edit(session: Session, fact: ProtocolSaved) -> None:
    """Badges an edit may have earned: the actor's, or after live typing (no actor known
    there) those of the protocol's contributors; people who hold them already cost nothing."""
    if fact.by_id is not None:
        editors: list[int] = [fact.by_id]
    else:
        editors = list(
            session.exec(
                select(ProtocolContributor.user_id).where(
                    ProtocolContributor.protocol_id == fact.protocol.id
                )
            )
        )
    after_action(session, action="protocol_edit", user_ids=editors)


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    # Kudos to or from the person go with the account; others' kudos may name them.
    person = fact.user
    pattern = name_pattern(handle=person.handle, display_name=person.display_name)
    naming = or_(
        *(
            func.lower(col(Kudos.message)).contains(term.lower(), autoescape=True)
            for term in name_terms(person)
        )
    )
    for kudos in session.exec(select(Kudos).where(naming)).all():
        kudos.message = without_person(kudos.message, pattern)[:500]
        session.add(kudos)
