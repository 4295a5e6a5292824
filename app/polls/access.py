"""Who may see and answer a poll: every rule starts from the space access policy."""

from dataclasses import dataclass

from sqlmodel import Session

from app.core.db import utcnow
from app.core.errors import Forbidden, NotFound
from app.people.models import User
from app.polls.models import DatePoll
from app.spaces.access import SpaceAccess, load_with_space_access


@dataclass(frozen=True)
class DatePollAccess:
    poll: DatePoll
    space: SpaceAccess

    @property
    def is_open(self) -> bool:
        closes = self.poll.closes_at
        return self.poll.closed_at is None and (closes is None or closes > utcnow())

    @property
    def can_answer(self) -> bool:
        """The space's members, while the poll is open."""
        return self.space.can_write and self.is_open

    @property
    def is_organiser(self) -> bool:
        """The proposer while still a writing member, and the space's moderators."""
        mine = self.poll.created_by_id == self.space.user.id and self.space.can_write
        return mine or self.space.can_moderate


def load_date_poll(session: Session, *, user: User, poll_id: int) -> DatePollAccess:
    """A date poll the person may read, with their access to its space (one query); else 404."""
    found = load_with_space_access(session, user=user, model=DatePoll, row_id=poll_id)
    if found is None or not found[1].can_read:
        raise NotFound("Poll not found")
    return DatePollAccess(poll=found[0], space=found[1])


def require_organiser(access: DatePollAccess) -> DatePollAccess:
    if not access.is_organiser:
        raise Forbidden("Only the proposer and the hosts of this space may do that")
    return access
