"""Space memberships that follow the single sign-on provider's groups (AGORA_OIDC_SPACE_GROUPS).

Memberships made this way are marked (source "provider"), so hosts and admins see where they
came from, and only those are taken away when the person leaves the group: someone who also
joined by themselves, or whom a host added, stays."""

from sqlmodel import Session, col, select

from app.core.db import utcnow
from app.people.models import User
from app.people.service import record_audit
from app.spaces.access import note_access_change
from app.spaces.models import MemberRole, Membership, MemberState, Space

PROVIDER = "provider"


def sync_provider_groups(
    session: Session, *, user: User, groups: list[str], mapping: dict[str, str]
) -> None:
    """Add the person to the spaces of their groups, and remove them from the spaces of groups
    they left (only memberships a group made)."""
    if not mapping:
        return
    spaces = session.exec(
        select(Space).where(col(Space.slug).in_(set(mapping.values())), Space.archived_at == None)  # noqa: E711
    ).all()
    wanted = {mapping[group] for group in groups if group in mapping}
    current = {
        m.space_id: m
        for m in session.exec(
            select(Membership).where(
                Membership.user_id == user.id,
                col(Membership.space_id).in_([space.id for space in spaces]),
            )
        ).all()
    }
    for space in spaces:
        membership = current.get(space.id)  # type: ignore[arg-type]
        group = next(g for g, slug in mapping.items() if slug == space.slug)
        if space.slug in wanted:
            _ensure_member(session, user=user, space=space, membership=membership, group=group)
        elif membership is not None and membership.source == PROVIDER:
            session.delete(membership)
            note_access_change(session)
            _audit(session, "space.member_remove", user=user, space=space, group=group)
    session.flush()


def _ensure_member(
    session: Session, *, user: User, space: Space, membership: Membership | None, group: str
) -> None:
    if membership is not None and membership.state == MemberState.active:
        return
    if membership is None:
        membership = Membership(
            space_id=space.id,  # type: ignore[arg-type]
            user_id=user.id,  # type: ignore[arg-type]
            role=MemberRole.member,
        )
    membership.state, membership.joined_at, membership.source = (
        MemberState.active,
        utcnow(),
        PROVIDER,
    )
    session.add(membership)
    _audit(session, "space.member_add", user=user, space=space, group=group)


def _audit(session: Session, action: str, *, user: User, space: Space, group: str) -> None:
    record_audit(
        session,
        actor=None,
        action=action,
        target_type="user",
        target_id=user.id,
        space_id=space.id,
        detail=f"provider group {group}",
    )
