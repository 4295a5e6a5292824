"""The review queue says how many flags came in since it was shown (live), only to moderators."""

import re

from app.moderation.service import flag_post
from tests.factories import make_post, make_space, make_user


def test_new_flags_are_counted_for_the_spaces_one_moderates(session, login):
    host, reader, other_host = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    elsewhere = make_space(session, host=other_host, members=(reader,))
    post = make_post(session, author=host, space=space)
    other_post = make_post(session, author=other_host, space=elsewhere)
    moderator = login(host)
    queue = moderator.get("/moderation").text
    assert 'sse-connect="/live?follow=flags:*"' in queue
    since = re.search(r'hx-get="/moderation/news\?since=([^"&]+)"', queue).group(1)  # type: ignore[union-attr]

    flag_post(session, user=reader, post_id=post.id, reason="Off topic here")
    flag_post(session, user=reader, post_id=other_post.id, reason="Off topic there")
    session.commit()

    news = moderator.htmx("GET", f"/moderation/news?since={since}", target="queue-news").text
    assert "1 new flag — show it" in news and 'href="/moderation"' in news
    in_space = moderator.get(f"/moderation/news?since={since}&space={space.slug}").text
    assert "1 new flag" in in_space and f'href="/moderation?space={space.slug}"' in in_space
    member = login(reader)
    assert "new flag" not in member.get(f"/moderation/news?since={since}").text
    assert member.get(f"/moderation/news?since={since}&space={space.slug}").status_code == 403
    assert moderator.get("/moderation/news?since=bad").status_code == 422
