"""The site's recognition settings: read once per transaction, and what an admin saves is seen."""

from app.recognition.service import (
    site_settings,
    take_contribution_turn,
    update_site_settings,
)
from tests.factories import make_post, make_space, make_token, make_user


def _settings_reads(statements: list[str]) -> int:
    return sum("FROM recognition_settings" in statement for statement in statements)


def test_the_settings_are_read_once_per_transaction(session, count_queries):
    with count_queries() as statements:
        first = site_settings(session)
        assert site_settings(session) == first
    assert _settings_reads(statements) == 1
    session.commit()
    with count_queries() as statements:
        site_settings(session)
    assert _settings_reads(statements) == 1


def test_settings_an_admin_saves_are_seen_in_the_same_transaction_and_the_next(session):
    admin = make_user(session, admin=True)
    assert site_settings(session).kudos_monthly_budget != 7
    update_site_settings(
        session, actor=admin, early_adopter_count=3, kudos_monthly_budget=7, thank_you_wall=True
    )
    assert site_settings(session).kudos_monthly_budget == 7
    session.commit()
    assert site_settings(session).early_adopter_count == 3


def test_a_comment_reads_the_settings_once(session, api, count_queries):
    author, commenter = make_user(session), make_user(session)
    space = make_space(session, host=author, members=(commenter,))
    post = make_post(session, space=space, author=author)
    token = make_token(session, user=commenter)
    api("POST", f"/posts/{post.id}/comments", token, json={"body": "Warm up"})
    with count_queries() as statements:
        response = api("POST", f"/posts/{post.id}/comments", token, json={"body": "Hello"})
    assert response.status_code == 201, response.text
    assert _settings_reads(statements) == 1


def test_saved_settings_come_with_the_early_adopter_question(session, count_queries):
    """On PostgreSQL a contribution's turn reads the settings with the places still open."""
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin)
    update_site_settings(
        session, actor=admin, early_adopter_count=3, kudos_monthly_budget=9, thank_you_wall=True
    )
    session.commit()
    take_contribution_turn(session, space_id=space.id)
    with count_queries() as statements:
        settings = site_settings(session)
    assert (settings.early_adopter_count, settings.kudos_monthly_budget) == (3, 9)
    assert settings.thank_you_wall is True
    if session.get_bind().dialect.name == "postgresql":
        assert statements == []
