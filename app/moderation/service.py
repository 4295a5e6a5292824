"""Flags, the review queue and moderator actions (hide, restore, dismiss, warn).

Anyone who can read a post or comment may flag it with a reason. Open flags from enough different
people hide it until a moderator looks (the threshold is a setting). Moderators are the hosts of
the space and admins who can read it; every action resolves all open flags on the target at once,
tells the author, and lands in the audit log. Reporters' names are never shown to anyone.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.core.config import get_settings
from app.core.db import utcnow
from app.core.domain_events import FlagRaised, ModerationOutcome, publish
from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.core.text import check_characters
from app.moderation.models import Flag, FlagState, FlagTarget
from app.people.models import User
from app.people.service import record_audit
from app.posts.models import Comment, Post
from app.posts.service import load_comment, load_post
from app.spaces.access import access_for
from app.spaces.models import Space

ACTIONS = ("hide", "restore", "dismiss", "warn")
MAX_REASON = 500
MAX_NOTE = 1000
DEFAULT_NOTES = {
    "hide": "Members flagged it and a moderator agreed that it does not fit here.",
    "warn": "Please keep to the community guidelines.",
}


def _clean_reason(reason: str) -> str:
    reason = " ".join(check_characters(reason, field="reason").split())
    if len(reason) < 3:
        raise Invalid("Tell the moderators what is wrong", field="reason")
    if len(reason) > MAX_REASON:
        raise Invalid("Too long: at most %(max)s characters", field="reason", max=MAX_REASON)
    return reason


def _open_flags(target_type: str, target_id: int):
    return (
        (col(Flag.target_type) == target_type)
        & (col(Flag.target_id) == target_id)
        & (col(Flag.state) == FlagState.open)
    )


def _add_flag(
    session: Session,
    *,
    user: User,
    target_type: FlagTarget,
    target: Post | Comment,
    post: Post,
    reason: str,
) -> Flag:
    if target.author_id == user.id:
        raise Invalid("You cannot flag what you wrote yourself; edit or delete it instead")
    reason = _clean_reason(reason)
    assert target.id is not None and post.id is not None
    flag = session.exec(
        select(Flag).where(
            Flag.target_type == target_type,
            Flag.target_id == target.id,
            Flag.reporter_id == user.id,
        )
    ).first()
    if flag is None:
        flag = Flag(
            target_type=target_type,
            target_id=target.id,
            post_id=post.id,
            space_id=post.space_id,
            reporter_id=user.id,
            reason=reason,
        )
        try:
            with session.begin_nested():
                session.add(flag)
        except IntegrityError as exc:  # the same person flagged twice at the same moment
            raise Conflict("You have already flagged this") from exc
    elif flag.state == FlagState.open:
        flag.reason = reason
    else:
        # Flagging again after a decision opens a new case with a fresh reason.
        flag.state, flag.reason, flag.created_at = FlagState.open, reason, utcnow()
        flag.resolved_at, flag.resolved_by_id, flag.resolution_note = None, None, ""
    session.add(flag)
    session.flush()
    _after_flag(session, target_type=target_type, target=target, post=post)
    return flag


def _after_flag(
    session: Session, *, target_type: FlagTarget, target: Post | Comment, post: Post
) -> None:
    """Tell the hosts about a new case; hide the target once enough people flagged it."""
    assert target.id is not None
    open_count = session.exec(select(func.count()).where(_open_flags(target_type, target.id))).one()
    publish(session, FlagRaised(post=post, open_flags=open_count))
    if open_count < get_settings().flag_auto_hide_threshold or target.hidden_at is not None:
        return
    model = Post if target_type == FlagTarget.post else Comment
    # Only the request whose UPDATE wins hides it, so the author is told once.
    hidden = session.exec(
        update(model)
        .where(col(model.id) == target.id, col(model.hidden_at).is_(None))
        .values(hidden_at=utcnow())
    ).rowcount
    if not hidden:
        return
    session.refresh(target)
    record_audit(
        session,
        actor=None,
        action="moderation.auto_hide",
        target_type=target_type,
        target_id=target.id,
        space_id=post.space_id,
        detail=f"{open_count} open flags",
    )
    publish(
        session,
        ModerationOutcome(post=post, target=target, outcome="auto_hidden", open_flags=open_count),
    )


def flag_post(session: Session, *, user: User, post_id: int, reason: str) -> Flag:
    """Flag a post one can read, with a reason; enough flags hide it pending review."""
    post, _access = load_post(session, user=user, post_id=post_id)
    return _add_flag(
        session, user=user, target_type=FlagTarget.post, target=post, post=post, reason=reason
    )


def flag_comment(session: Session, *, user: User, comment_id: int, reason: str) -> Flag:
    """Flag a comment one can read, with a reason."""
    comment, post, _access = load_comment(session, user=user, comment_id=comment_id)
    return _add_flag(
        session,
        user=user,
        target_type=FlagTarget.comment,
        target=comment,
        post=post,
        reason=reason,
    )


@dataclass
class Decision:
    flag: Flag
    action: str
    resolved: int
    hidden: bool


def _load_flag_for_moderator(session: Session, *, user: User, flag_id: int) -> Flag:
    flag = session.get(Flag, flag_id)
    space = session.get(Space, flag.space_id) if flag else None
    if flag is None or space is None:
        raise NotFound("Flag not found")
    access = access_for(session, user, space)
    if not access.can_read:
        raise NotFound("Flag not found")
    if not access.can_moderate:
        raise Forbidden("Only hosts of this space may do that")
    return flag


def act_on_flag(
    session: Session, *, user: User, flag_id: int, action: str, note: str = ""
) -> Decision:
    """Resolve every open flag on the flagged target with one action, tell the author, audit it."""
    if action not in ACTIONS:
        raise Invalid("Choose hide, restore, dismiss or warn", field="action")
    note = " ".join(check_characters(note, field="note").split())
    if len(note) > MAX_NOTE:
        raise Invalid("Too long: at most %(max)s characters", field="note", max=MAX_NOTE)
    note = note or DEFAULT_NOTES.get(action, "")
    flag = _load_flag_for_moderator(session, user=user, flag_id=flag_id)
    post = session.get(Post, flag.post_id)
    target: Post | Comment | None = (
        post if flag.target_type == FlagTarget.post else session.get(Comment, flag.target_id)
    )
    if target is None or post is None:
        raise NotFound("Flag not found")
    was_hidden = target.hidden_at is not None
    if action == "restore" and not was_hidden:
        raise Conflict("This is not hidden")
    state = {
        "hide": FlagState.hidden,
        "restore": FlagState.restored,
        "dismiss": FlagState.dismissed,
        "warn": FlagState.warned,
    }[action]
    now = utcnow()
    # Claiming the open flags is the lock: of two moderators acting at once, one wins.
    resolved = session.exec(
        update(Flag)
        .where(_open_flags(flag.target_type, flag.target_id))
        .values(state=state, resolved_at=now, resolved_by_id=user.id, resolution_note=note)
    ).rowcount
    if action == "restore" and flag.state != FlagState.open:
        session.exec(
            update(Flag)
            .where(col(Flag.id) == flag.id)
            .values(state=state, resolved_at=now, resolved_by_id=user.id, resolution_note=note)
        )
    elif not resolved:
        raise Conflict("Someone already handled these flags")
    target.hidden_at = now if action == "hide" else None
    session.add(target)
    session.flush()
    session.refresh(flag)
    record_audit(
        session,
        actor=user,
        action=f"moderation.{action}",
        target_type=str(flag.target_type),
        target_id=flag.target_id,
        space_id=flag.space_id,
        detail=f"{resolved} flag(s) resolved. {note}".strip(),
    )
    _tell_author(session, action=action, target=target, post=post, note=note, was_hidden=was_hidden)
    session.flush()
    return Decision(
        flag=flag, action=action, resolved=resolved, hidden=target.hidden_at is not None
    )


def _tell_author(
    session: Session,
    *,
    action: str,
    target: Post | Comment,
    post: Post,
    note: str,
    was_hidden: bool,
) -> None:
    outcome: Literal["hidden", "warned", "visible"]
    if action == "hide":
        outcome = "hidden"
    elif action == "warn":
        outcome = "warned"
    elif was_hidden:
        outcome = "visible"
    else:
        return
    publish(session, ModerationOutcome(post=post, target=target, outcome=outcome, note=note))
