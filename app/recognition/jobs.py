"""The badge job: evaluate every rule for everyone and grant what is due.

Idempotent and safe to run in several processes at once: each rule only selects people who
lack the badge, and each award is inserted with ON CONFLICT DO NOTHING against the unique keys
(user, badge, space) and (user, badge) for site awards, so a race ends with one row, no error.
"""

from sqlmodel import Session

from app.core.db import get_engine
from app.core.transactions import writing
from app.recognition.badges import ensure_builtin_badges
from app.recognition.engine import revoke_stale_leaders, run_rules
from app.recognition.service import LEADER, site_settings


def grant_badges(session: Session) -> int:
    """Grant every badge that is due; returns how many awards were added. Flushes, never commits."""
    added = run_rules(session, settings=site_settings(session))
    revoke_stale_leaders(session, leader_badge=ensure_builtin_badges(session)[LEADER])
    return added


def run_grant_badges() -> int:
    """The job's entry point (CLI, schedulers): its own session and transaction."""
    with writing(), Session(get_engine(), expire_on_commit=False) as session:
        added = grant_badges(session)
        session.commit()
    return added
