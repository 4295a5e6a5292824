"""Home's community blocks cost a fixed number of queries, however much there is to show."""

from datetime import timedelta

from app.announcements.service import pin_on_home
from app.core.db import utcnow
from app.showcase.service import feature_post
from tests.factories import make_post, make_space, make_user


def _add(session, admin, space, n):
    for i in range(n):
        news = make_post(session, author=admin, space=space, kind="announcement", title=f"N{i}")
        pin_on_home(session, user=admin, post_id=news.id, expires_at=utcnow() + timedelta(days=1))
        example = make_post(session, author=admin, space=space, title=f"E{i}")
        feature_post(session, user=admin, post_id=example.id, tags=[f"t{i}", "shared"])
    session.commit()


def test_home_with_pins_showcase_and_checklist_runs_constant_queries(session, login, count_queries):
    admin, me = make_user(session, admin=True), make_user(session)
    space = make_space(session, host=admin, members=(me,))
    _add(session, admin, space, 1)
    client = login(me)
    with count_queries() as few:
        page = client.get("/")
    assert "Getting started" in page.text and "site-pin" in page.text
    _add(session, admin, space, 8)
    with count_queries() as many:
        page = client.get("/")
    assert page.text.count('class="card site-pin"') == 5  # at most five pins
    # session, stream, reaction counts, my reactions, stream thanks, my spaces, unread count,
    # recognition panel, events, pins, checklist, showcase and its tags
    assert len(many) == len(few) <= 13
