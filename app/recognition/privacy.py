"""What the recognition domain records about a person, for "what Agora stores about me"."""

from typing import Any

from sqlmodel import Session, col, select

from app.people.models import User
from app.recognition.kudos import kudos_given_and_received
from app.recognition.models import Award, Badge, RecognitionPreference
from app.spaces.models import Space


def recognition_data_for(session: Session, user: User) -> dict[str, Any]:
    """Everything stored here that names the person, as plain data (JSON-ready).

    Kudos are listed with the id of what they were tied to, never its title: the person may
    have lost access to that space since.
    """
    awards = session.exec(
        select(Award, Badge, Space)
        .join(Badge, col(Badge.id) == Award.badge_id)
        .outerjoin(Space, col(Space.id) == Award.space_id)
        .where(Award.user_id == user.id)
        .order_by(col(Award.granted_at), col(Award.id))
    ).all()
    preference = session.get(RecognitionPreference, user.id)
    kudos = kudos_given_and_received(session, user=user)
    return {
        "leader": {"is_leader": user.is_leader, "title": user.leader_title},
        "badges": [
            {
                "slug": badge.slug,
                "name": badge.name,
                "space": space.slug if space else None,
                "reason": award.reason,
                "granted_at": award.granted_at.isoformat(),
                "granted_by": "an administrator" if award.granted_by_id else "automatic rule",
            }
            for award, badge, space in awards
        ],
        "kudos_given": [
            {
                "to_user_id": k.receiver_id,
                "message": k.message,
                "target_type": k.target_type,
                "target_id": k.target_id,
                "created_at": k.created_at.isoformat(),
            }
            for k in kudos
            if k.giver_id == user.id
        ],
        "kudos_received": [
            {
                "from_user_id": k.giver_id,
                "message": k.message,
                "target_type": k.target_type,
                "target_id": k.target_id,
                "created_at": k.created_at.isoformat(),
            }
            for k in kudos
            if k.receiver_id == user.id
        ],
        "preferences": {
            "hide_badges": preference.hide_badges if preference else False,
            "kudos_in_space": preference.kudos_in_space if preference else False,
        },
    }
