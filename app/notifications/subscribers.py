"""Who hears about what: notifications follow from other domains' facts.

The wording belongs to the domain that causes a notification (its messages.py); this module only
decides who is told, with which message, linking where. Subscribers run in the publisher's
transaction (app/core/domain_events.py). Nobody is told about their own action (see `notify`).
"""

from sqlmodel import Session

from app.access.spaces import hosts_of
from app.core.domain_events import (
    ActionItemAssigned,
    BadgeAwarded,
    CommentCreated,
    DatePollDecided,
    EventChanged,
    EventEnded,
    FlagRaised,
    KudosGiven,
    ModerationOutcome,
    PersonErasing,
    PostCreated,
    PostFeatured,
    PostMentionedPeople,
    ScheduledPostPublished,
    ShowcaseSuggested,
    WaitlistPromoted,
    subscriber,
)
from app.notifications.service import forget_person, kudos_text, message_text, notify
from app.people.models import User
from app.posts.models import Comment, Post

# --- posts ----------------------------------------------------------------------------------


def _tell_mentioned(
    session: Session, *, post: Post, author: User, people: tuple[User, ...], comment: Comment | None
) -> None:
    # posts decided who may hear of it (readers of the space, newly mentioned, not the author).
    for person in people:
        notify(
            session,
            user_id=person.id,  # type: ignore[arg-type]
            kind="mention",
            text=message_text("mention", name=author.display_name, title=post.title),
            url=f"/posts/{post.id}" + (f"#comment-{comment.id}" if comment else ""),
            actor_id=author.id,
            space_id=post.space_id,
            post_id=post.id,
            comment_id=comment.id if comment else None,
        )


@subscriber(PostCreated)
def post_created(session: Session, fact: PostCreated) -> None:
    _tell_mentioned(
        session, post=fact.post, author=fact.author, people=fact.mentioned, comment=None
    )


def _tell_of_comment(session: Session, fact: CommentCreated, *, user_id: int, kind: str) -> None:
    post, comment, author = fact.post, fact.comment, fact.author
    notify(
        session,
        user_id=user_id,
        kind=kind,
        text=message_text(kind, name=author.display_name, title=post.title),
        url=f"/posts/{post.id}#comment-{comment.id}",
        actor_id=author.id,
        space_id=post.space_id,
        post_id=post.id,
        comment_id=comment.id,
    )


@subscriber(CommentCreated)
def comment_created(session: Session, fact: CommentCreated) -> None:
    post = fact.post
    # One notification per person per cause: a comment that mentions the post's author tells
    # them once ("mentioned you" says more); a reply tells the author of the comment it answers
    # unless told already.
    mentioned_ids = {person.id for person in fact.mentioned}
    if post.author_id is not None and post.author_id not in mentioned_ids:
        _tell_of_comment(session, fact, user_id=post.author_id, kind="comment")
    _tell_mentioned(
        session, post=post, author=fact.author, people=fact.mentioned, comment=fact.comment
    )
    parent_id = fact.comment.parent_id
    parent = session.get(Comment, parent_id) if parent_id is not None else None
    if parent is not None and parent.author_id not in {None, post.author_id, *mentioned_ids}:
        _tell_of_comment(session, fact, user_id=parent.author_id, kind="reply")  # type: ignore[arg-type]


@subscriber(PostMentionedPeople)
def people_mentioned(session: Session, fact: PostMentionedPeople) -> None:
    _tell_mentioned(
        session, post=fact.post, author=fact.author, people=fact.people, comment=fact.comment
    )


# --- community --------------------------------------------------------------------------------


def _host_ids(session: Session, space_id: int) -> list[int]:
    return [int(user_id) for user_id in session.exec(hosts_of(space_id)).all()]


@subscriber(ScheduledPostPublished)
def scheduled_post_published(session: Session, fact: ScheduledPostPublished) -> None:
    post = fact.post
    if post.author_id is None:
        return
    notify(
        session,
        user_id=post.author_id,
        kind="scheduled_published",
        message="scheduled_published",
        params={"title": post.title},
        url=f"/posts/{post.id}",
        space_id=post.space_id,
        post_id=post.id,
    )


@subscriber(FlagRaised)
def flag_raised(session: Session, fact: FlagRaised) -> None:
    """The hosts hear of a new case once: when its first open flag arrives."""
    if fact.open_flags != 1:
        return
    post = fact.post
    for host_id in _host_ids(session, post.space_id):
        notify(
            session,
            user_id=host_id,
            kind="flag",
            message="flag",
            params={"title": post.title},
            url="/moderation",
            space_id=post.space_id,
            post_id=post.id,
        )


@subscriber(ModerationOutcome)
def moderation_outcome(session: Session, fact: ModerationOutcome) -> None:
    """The author hears what happened to their post or comment, and why."""
    post, target = fact.post, fact.target
    if target.author_id is None:
        return
    what = "post" if isinstance(target, Post) else "comment"
    if fact.outcome == "auto_hidden":
        params = {"title": post.title, "count": str(fact.open_flags)}
        comment_id = None
    else:
        params = {"title": post.title, "note": fact.note}
        comment_id = target.id if isinstance(target, Comment) else None
    notify(
        session,
        user_id=target.author_id,
        kind="moderation",
        message=f"{fact.outcome}_{what}",
        params=params,
        url=f"/posts/{post.id}/moderation",
        space_id=post.space_id,
        post_id=post.id,
        comment_id=comment_id,
    )


@subscriber(PostFeatured)
def post_featured(session: Session, fact: PostFeatured) -> None:
    post = fact.post
    if post.author_id is None:
        return
    notify(
        session,
        user_id=post.author_id,
        kind="showcase",
        message="showcase",
        params={"title": post.title},
        url="/showcase",
        actor_id=fact.by.id,
        space_id=post.space_id,
        post_id=post.id,
    )


@subscriber(ShowcaseSuggested)
def showcase_suggested(session: Session, fact: ShowcaseSuggested) -> None:
    post = fact.post
    for host_id in _host_ids(session, post.space_id):
        notify(
            session,
            user_id=host_id,
            kind="showcase_suggestion",
            message="showcase_suggestion",
            params={"name": fact.by.display_name, "title": post.title},
            url="/moderation",
            actor_id=fact.by.id,
            space_id=post.space_id,
            post_id=post.id,
        )


# --- events (meetups) -------------------------------------------------------------------------


@subscriber(EventChanged)
def event_changed(session: Session, fact: EventChanged) -> None:
    event = fact.event
    kind = "event_cancelled" if fact.change == "event_cancelled" else "event_changed"
    for user_id in fact.people:
        notify(
            session,
            user_id=user_id,
            kind=kind,
            message=fact.change,
            # event_id: the email attaches the event's calendar file.
            params={"title": event.title, "event_id": str(event.id), **dict(fact.params)},
            url=fact.url,
            actor_id=fact.by.id,
            space_id=event.space_id,
        )


@subscriber(WaitlistPromoted)
def waitlist_promoted(session: Session, fact: WaitlistPromoted) -> None:
    event = fact.event
    for user_id in fact.user_ids:
        notify(
            session,
            user_id=user_id,
            kind="event_promoted",
            message="event_promoted",
            params={"title": event.title, "event_id": str(event.id)},
            url=fact.url,
            actor_id=fact.by_id,
            space_id=event.space_id,
        )


@subscriber(DatePollDecided)
def date_poll_decided(session: Session, fact: DatePollDecided) -> None:
    """Those who said yes are told they are going (or waiting for a place); those who could come
    "if need be" are invited to answer the event. Each notification names the event, so its
    email carries the chosen date as a calendar file (app/mail/subscribers.py)."""
    event = fact.event
    told = (
        ("date_poll_going", fact.going),
        ("date_poll_waitlisted", fact.waitlisted),
        ("date_poll_invited", fact.invited),
    )
    for message, user_ids in told:
        for user_id in user_ids:
            notify(
                session,
                user_id=user_id,
                kind="date_poll_decided" if message != "date_poll_invited" else message,
                message=message,
                params={"title": event.title, "event_id": str(event.id)},
                url=f"/events/{event.id}",
                actor_id=fact.by.id,
                space_id=event.space_id,
            )


@subscriber(EventEnded)
def event_ended(session: Session, fact: EventEnded) -> None:
    """Attendees are thanked and pointed at the discussion; the organiser is offered a recap."""
    event = fact.event
    for user_id in fact.attendee_ids:
        notify(
            session,
            user_id=user_id,
            kind="event_followup",
            message="event_followup",
            params={"title": event.title},
            url=f"{fact.url}#discussion",
            space_id=event.space_id,
            post_id=event.discussion_post_id,
        )
    if event.created_by_id is not None:
        notify(
            session,
            user_id=event.created_by_id,
            kind="event_recap",
            message="event_recap",
            params={"title": event.title},
            url=f"{fact.url}#recap",
            space_id=event.space_id,
        )


# --- protocols --------------------------------------------------------------------------------


@subscriber(ActionItemAssigned)
def action_item_assigned(session: Session, fact: ActionItemAssigned) -> None:
    protocol = fact.protocol
    notify(
        session,
        user_id=fact.assignee_id,
        kind="action_item",
        message="action_item",
        params={"title": protocol.title, "item": fact.text},
        url=f"/protocols/{protocol.id}",
        actor_id=fact.by_id,
        space_id=protocol.space_id,
    )


# --- recognition ------------------------------------------------------------------------------


@subscriber(KudosGiven)
def kudos_given(session: Session, fact: KudosGiven) -> None:
    giver = fact.giver
    for row in fact.kudos:
        notify(
            session,
            user_id=row.receiver_id,
            kind="kudos",
            text=kudos_text(giver.display_name, row.message),
            url=f"/people/{row.receiver_id}#kudos",
            actor_id=giver.id,
            space_id=row.space_id,
            kudos_id=row.id,
        )


@subscriber(BadgeAwarded)
def badge_awarded(session: Session, fact: BadgeAwarded) -> None:
    award = fact.award
    notify(
        session,
        user_id=award.user_id,
        kind="badge",
        message="badge",
        params={"badge": fact.badge.name},
        url=f"/people/{award.user_id}#badges",
        actor_id=fact.by.id,
        space_id=award.space_id,
    )


@subscriber(PersonErasing)
def person_erasing(session: Session, fact: PersonErasing) -> None:
    # Their own notifications go with the row; others' that name them or tell of their acts go
    # now (the words were stored when they were written).
    forget_person(session, fact.user)
