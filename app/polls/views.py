"""What the date poll pages show, gathered in a few queries (no lazy loads in templates)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.core.errors import Invalid
from app.core.i18n import N_
from app.events.access import may_create
from app.events.schemas import known_zones
from app.people.models import User
from app.polls import dates
from app.polls.access import DatePollAccess, load_date_poll
from app.polls.date_input import DatePollInput, SlotInput
from app.polls.models import MAX_OPTIONS, DatePoll
from app.spaces.access import SpaceAccess
from app.spaces.service import member_count

# The proposal form starts with this many empty rows; "more dates" adds some, up to the limit.
FIRST_ROWS = 3
MORE_ROWS = 3
OPEN_LIST_LIMIT = 20
BAD_TIME = N_("Enter the date and time as YYYY-MM-DD HH:MM")


@dataclass(frozen=True)
class DatePollPage:
    access: DatePollAccess
    tallies: list[dates.OptionTally]
    best_option_id: int | None
    mine: dict[int, str]
    # Who answered what: shown to the space's members only (the audience line says so).
    people: list[tuple[User, dict[int, str]]] | None
    member_count: int
    may_decide: bool


def date_poll_page(session: Session, *, user: User, poll_id: int) -> DatePollPage:
    access = load_date_poll(session, user=user, poll_id=poll_id)
    counted = dates.tallies(session, poll_id)
    shown = access.space.is_member or access.space.can_moderate
    return DatePollPage(
        access=access,
        tallies=counted,
        best_option_id=dates.best_option_id(counted),
        mine=dates.my_answers(session, poll_id=poll_id, user_id=user.id),  # type: ignore[arg-type]
        people=dates.answers_by_person(session, poll_id) if shown else None,
        member_count=member_count(session, access.space.space.id),
        may_decide=access.is_organiser
        and access.poll.event_id is None
        and may_create(session, access.space),
    )


def open_polls(session: Session, *, access: SpaceAccess) -> list[DatePoll]:
    """The space's polls still looking for a date, newest first (a bounded list)."""
    return list(
        session.exec(
            select(DatePoll)
            .where(DatePoll.space_id == access.space.id, col(DatePoll.event_id).is_(None))
            .order_by(col(DatePoll.id).desc())
            .limit(OPEN_LIST_LIMIT)
        ).all()
    )


def form_rows(form: dict[str, str]) -> int:
    wanted = int(form.get("rows") or FIRST_ROWS) if (form.get("rows") or "").isdigit() else 0
    rows = max(FIRST_ROWS, wanted)
    if "more" in form:
        rows += MORE_ROWS
    return min(rows, MAX_OPTIONS)


def input_from_form(form: dict[str, str]) -> DatePollInput:
    """The rows a person filled in; empty rows are left out."""
    slots = [
        SlotInput(starts_at=form.get(f"starts_at_{n}"), ends_at=form.get(f"ends_at_{n}") or None)
        for n in range(MAX_OPTIONS + 1)
        if (form.get(f"starts_at_{n}") or "").strip() or (form.get(f"ends_at_{n}") or "").strip()
    ]
    return DatePollInput(
        title=form.get("title", ""),
        description=form.get("description", ""),
        timezone=form.get("timezone", ""),
        options=slots,
        closes_at=form.get("closes_at") or None,
    )


def form_context(
    session: Session, access: SpaceAccess, form: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    return {
        "space": access.space,
        "form": form,
        "rows": form_rows(form),
        "errors": errors,
        "zones": sorted(known_zones()),
        "member_count": member_count(session, access.space.id),
    }


def closing_time(text: str, *, zone: str) -> datetime | None:
    """A closing time typed as wall-clock time in the person's zone; checked by the service."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise Invalid(BAD_TIME, field="closes_at") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment
