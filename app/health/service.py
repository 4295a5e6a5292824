"""The health view: how a space (or the site) is doing, in aggregates only.

Privacy rules, so that no figure ever shows one person's activity:
- Every figure is computed by aggregate SQL over a group of people; a group of fewer than
  MIN_GROUP people is shown as "too few to show" (None here).
- Filters are partitions (members vs. hosts and leaders): a filtered view needs both the group it
  shows and the group it leaves out to be empty or at least MIN_GROUP, otherwise subtracting it
  from the unfiltered view would reveal the small group. The members/hosts split obeys the same.
- The site view only counts spaces that have at least MIN_GROUP members, so comparing the site
  with its large spaces cannot reveal what happens in a small one; and it only counts spaces the
  viewer can read (admins do not read private spaces they are not in, not even as numbers).
The page runs a fixed number of queries whatever the amount of data.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from app.access.posts import post_not_removed
from app.core.db import utcnow
from app.core.errors import Invalid
from app.health.sql import (
    contributions,
    first_peer_replies,
    lead_of,
    seconds_between,
    week_index,
)
from app.people.models import User
from app.posts.models import Comment, Post, PostKind
from app.spaces.access import readable_space_ids
from app.spaces.models import MemberRole, Membership, MemberState, Space

MIN_GROUP = 5
WEEK_CHOICES = (4, 12, 26)
WHO_CHOICES = ("all", "members", "hosts")
NEWCOMER_DAYS = 14
UNANSWERED_AFTER = timedelta(hours=24)
REPLY_BUCKETS = ("1h", "4h", "1d", "3d", "later", "none")
_BUCKET_SECONDS = (("1h", 3600), ("4h", 4 * 3600), ("1d", 86400), ("3d", 3 * 86400))


@dataclass
class HealthReport:
    weeks: list[datetime]
    who: str
    people: int | None  # size of the group the figures describe; None when too few
    shown: bool  # False: the whole view is "too few to show"
    weekly_active: list[int] = field(default_factory=list)
    weekly_posts: list[int] = field(default_factory=list)
    weekly_comments: list[int] = field(default_factory=list)
    # Shares are None when either side of the members/hosts split is too small.
    member_share_posts: float | None = None
    member_share_comments: float | None = None
    member_share_threads: float | None = None
    split_shown: bool = False
    hosts_do_most_talking: bool = False
    first_reply: dict[str, int] | None = None
    prompts: tuple[int, int] | None = None  # (prompts, answered by a peer)
    newcomers: tuple[int, int] | None = None  # (newcomers, posted within two weeks)
    unanswered_count: int | None = None
    unanswered: list[tuple[Post, Space]] = field(default_factory=list)

    @property
    def prompt_rate(self) -> float | None:
        if not self.prompts or not self.prompts[0]:
            return None
        return self.prompts[1] / self.prompts[0]

    @property
    def newcomer_rate(self) -> float | None:
        if not self.newcomers or not self.newcomers[0]:
            return None
        return self.newcomers[1] / self.newcomers[0]


def eligible_space_ids(user: User):
    """Spaces the site view counts: readable by the viewer and with at least MIN_GROUP members."""
    return (
        select(Membership.space_id)
        .where(
            Membership.state == MemberState.active,
            col(Membership.space_id).in_(readable_space_ids(user)),
        )
        .group_by(col(Membership.space_id))
        .having(func.count() >= MIN_GROUP)
    )


def _window(weeks: int, now: datetime) -> list[datetime]:
    monday = (now - timedelta(days=now.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    return [monday - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]


def health_report(
    session: Session,
    *,
    space_ids,
    weeks: int = 12,
    who: str = "all",
    now: datetime | None = None,
) -> HealthReport:
    """All health figures for a set of spaces, suppressed where a group is too small."""
    if weeks not in WEEK_CHOICES:
        raise Invalid("Choose 4, 12 or 26 weeks", field="weeks")
    if who not in WHO_CHOICES:
        raise Invalid("Choose all, members or hosts", field="who")
    now = now or utcnow()
    dialect = session.get_bind().dialect.name
    starts = _window(weeks, now)
    start = starts[0]
    report = HealthReport(weeks=starts, who=who, people=None, shown=False)

    member = aliased(Membership)
    lead_people = func.count(
        func.distinct(
            case(
                (or_(col(member.role) == MemberRole.host, col(User.is_leader)), member.user_id),
                else_=None,
            )
        )
    )
    people, leads = session.exec(
        select(func.count(func.distinct(member.user_id)), lead_people)
        .join(User, col(User.id) == member.user_id)
        .where(member.state == MemberState.active, col(member.space_id).in_(space_ids))
    ).one()
    members = people - leads
    group, rest = {"all": (people, 0), "members": (members, leads), "hosts": (leads, members)}[who]
    report.shown = group >= MIN_GROUP and (rest == 0 or rest >= MIN_GROUP)
    report.split_shown = who == "all" and members >= MIN_GROUP and leads >= MIN_GROUP
    report.unanswered = _unanswered_list(session, space_ids, start, now)
    if not report.shown:
        return report
    report.people = group

    contrib = contributions(space_ids, start, now)
    week = week_index(contrib.c.at, start, dialect).label("week")
    only_group = contrib.c.lead == (1 if who == "hosts" else 0) if who != "all" else true()
    # One pass over the contributions: counts per kind and side, and distinct people, per week.
    tallies = [
        func.sum(case((and_(contrib.c.kind == kind, contrib.c.lead == lead), 1), else_=0))
        for kind in ("post", "comment")
        for lead in (0, 1)
    ]
    rows = session.exec(
        select(week, func.count(func.distinct(contrib.c.person)), *tallies)
        .where(only_group)
        .group_by(week)
    ).all()
    counts: dict[tuple[int, str, int], int] = {}
    active: dict[int, int] = {}
    for w, people_active, posts_m, posts_l, comments_m, comments_l in rows:
        active[int(w)] = int(people_active)
        for key, n in (
            (("post", 0), posts_m),
            (("post", 1), posts_l),
            (("comment", 0), comments_m),
            (("comment", 1), comments_l),
        ):
            counts[(int(w), *key)] = int(n or 0)
    span = range(weeks)
    report.weekly_active = [active.get(i, 0) for i in span]
    report.weekly_posts = [_in_week(counts, i, "post") for i in span]
    report.weekly_comments = [_in_week(counts, i, "comment") for i in span]
    if report.split_shown:
        _shares(report, counts)

    _reply_figures(session, report, space_ids, start, now, dialect, who)
    report.unanswered_count = _unanswered_count(session, space_ids, start, now)
    return report


def _in_week(counts: dict, week: int, kind: str) -> int:
    return sum(n for (w, k, _lead), n in counts.items() if w == week and k == kind)


def _shares(report: HealthReport, counts: dict) -> None:
    def share(kind: str) -> float | None:
        by_members = sum(n for (_w, k, lead), n in counts.items() if k == kind and lead == 0)
        total = sum(n for (_w, k, _l), n in counts.items() if k == kind)
        return by_members / total if total else None

    report.member_share_posts = share("post")
    report.member_share_comments = share("comment")
    talk = [s for s in (report.member_share_posts, report.member_share_comments) if s is not None]
    report.hosts_do_most_talking = bool(talk) and sum(talk) / len(talk) < 0.5


def _reply_figures(
    session: Session,
    report: HealthReport,
    space_ids,
    start: datetime,
    now: datetime,
    dialect: str,
    who: str,
) -> None:
    post = aliased(Post)
    lead, host_join, person_join = lead_of(post.space_id, post.author_id)
    replies = first_peer_replies(space_ids, start, now)
    first = replies.c.first_at.label("first_at")
    base = (
        select(  # type: ignore[call-overload]
            col(post.id),
            col(post.kind),
            col(post.comment_count),
            col(post.published_at).label("at"),
            lead.label("lead"),
            first,
        )
        .join(person_join[0], person_join[1])
        .outerjoin(*host_join)
        .outerjoin(replies, replies.c.post_id == post.id)
        .where(
            col(post.space_id).in_(space_ids),
            col(post.deleted_at).is_(None),
            col(post.kind) != PostKind.announcement,
            col(post.published_at) >= start,
            col(post.published_at) <= now,
        )
    )
    if who != "all":
        base = base.where(lead == (1 if who == "hosts" else 0))
    sub = base.subquery()
    delta = seconds_between(sub.c.first_at, sub.c.at, dialect)
    bucket = case(
        (sub.c.first_at.is_(None), "none"),
        *[(delta < limit, name) for name, limit in _BUCKET_SECONDS],
        else_="later",
    ).label("bucket")
    is_prompt = case((sub.c.kind == PostKind.prompt, 1), else_=0).label("is_prompt")
    thread = case((sub.c.comment_count > 0, 1), else_=0).label("thread")
    rows = session.exec(
        select(bucket, is_prompt, sub.c.lead, thread, func.count()).group_by(  # type: ignore[call-overload]
            bucket, is_prompt, sub.c.lead, thread
        )
    ).all()
    report.first_reply = {name: 0 for name in REPLY_BUCKETS}
    prompts = answered = threads = member_threads = 0
    for name, prompt, by_lead, has_replies, n in rows:
        report.first_reply[name] += n
        if prompt:
            prompts += n
            answered += n if name != "none" else 0
        if has_replies:
            threads += n
            member_threads += n if not by_lead else 0
    if who == "all":
        report.prompts = (prompts, answered)
        report.newcomers = _newcomers(session, space_ids, start, now, dialect)
    if report.split_shown and threads:
        report.member_share_threads = member_threads / threads


def _newcomers(
    session: Session,
    space_ids,
    start: datetime,
    now: datetime,
    dialect: str,
) -> tuple[int, int] | None:
    """New members whose first two weeks are over, and how many of them wrote something then."""
    m = aliased(Membership)
    window = NEWCOMER_DAYS * 86400

    def wrote(model, at_col) -> ColumnElement[bool]:
        within = seconds_between(at_col, m.joined_at, dialect)
        query = select(model.id).where(model.author_id == m.user_id, within >= 0, within < window)
        if model is Post:
            query = query.where(col(Post.space_id) == m.space_id)
        else:
            query = query.join(Post, col(Post.id) == Comment.post_id).where(
                col(Post.space_id) == m.space_id
            )
        return query.exists()

    posted = or_(wrote(Post, Post.published_at), wrote(Comment, Comment.created_at))
    joined, active = session.exec(
        select(
            func.count(func.distinct(m.user_id)),
            func.count(func.distinct(case((posted, m.user_id), else_=None))),
        ).where(
            col(m.space_id).in_(space_ids),
            m.state == MemberState.active,
            m.role == MemberRole.member,
            col(m.joined_at) >= start,
            col(m.joined_at) <= now - timedelta(days=NEWCOMER_DAYS),
        )
    ).one()
    return (joined, active) if joined >= MIN_GROUP else None


def _unanswered_query(space_ids, start: datetime, now: datetime):
    return (
        select(Post, Space)
        .join(Space, col(Space.id) == Post.space_id)
        .where(
            col(Post.space_id).in_(space_ids),
            *post_not_removed(),
            col(Post.kind) != PostKind.announcement,
            col(Post.comment_count) == 0,
            col(Post.published_at) >= start,
            col(Post.published_at) <= now - UNANSWERED_AFTER,
        )
    )


def _unanswered_count(session: Session, space_ids, start: datetime, now: datetime) -> int:
    sub = _unanswered_query(space_ids, start, now).with_only_columns(col(Post.id)).subquery()
    return session.exec(select(func.count()).select_from(sub)).one()


def _unanswered_list(
    session: Session,
    space_ids,
    start: datetime,
    now: datetime,
    limit: int = 10,
) -> list[tuple[Post, Space]]:
    """Posts nobody answered yet, oldest first: content the viewer can read, a list to act on."""
    rows = session.exec(
        _unanswered_query(space_ids, start, now)
        .order_by(col(Post.published_at), col(Post.id))
        .limit(limit)
    ).all()
    return [(p, s) for p, s in rows]
