"""Scheduling, prompts, the showcase and home pins through the pages."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from app.core.db import utcnow
from app.posts.models import Post
from app.prompts.jobs import publish_scheduled_posts
from app.prompts.models import PromptDetails
from app.showcase.models import ShowcaseSuggestion
from tests.factories import make_post, make_space, make_user


def _local(minutes: float, zone="Europe/Berlin") -> str:
    return (
        (utcnow() + timedelta(minutes=minutes))
        .astimezone(ZoneInfo(zone))
        .strftime("%Y-%m-%dT%H:%M")
    )


def test_a_host_schedules_a_post_from_the_composer(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    client = login(host)
    assert 'name="publish_at"' in client.get(f"/spaces/{space.slug}").text

    response = client.form(
        f"/spaces/{space.slug}/posts",
        {"title": "Monday question", "body": "What are you working on?", "publish_at": _local(90)},
    )

    assert response.status_code == 303
    post = session.exec(select(Post)).one()
    assert post.announced_at is None
    assert "Scheduled for" in client.get(f"/posts/{post.id}").text
    assert "Monday question" in client.get(f"/spaces/{space.slug}/scheduled").text
    assert "Monday question" not in login(member).get(f"/spaces/{space.slug}").text
    assert login(member).get(f"/posts/{post.id}").status_code == 404
    assert "Monday question" not in login(member).get(f"/spaces/{space.slug}/scheduled").text


def test_a_bad_publish_time_is_a_clear_422(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    response = login(host).form(
        f"/spaces/{space.slug}/posts", {"title": "t", "body": "b", "publish_at": _local(-600)}
    )
    assert response.status_code == 422
    assert "Choose a time in the future" in response.text
    assert session.exec(select(Post)).all() == []


def test_the_author_moves_a_scheduled_post_until_it_is_published(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    client.form(
        f"/spaces/{space.slug}/posts", {"title": "t", "body": "b", "publish_at": _local(60)}
    )
    post = session.exec(select(Post)).one()
    edit = client.get(f"/posts/{post.id}/edit")
    assert 'name="publish_at"' in edit.text

    new_time = _local(180)
    response = client.form(
        f"/posts/{post.id}/edit", {"title": "t", "body": "b", "publish_at": new_time}
    )

    assert response.status_code == 303
    session.refresh(post)
    local = post.published_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%dT%H:%M")
    assert local == new_time


def test_hosts_get_the_prompt_library_and_three_suggestions(session, login):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,), name="Newcomers Lounge")
    client = login(host)

    library = client.get(f"/spaces/{space.slug}/prompts")
    assert library.status_code == 200
    assert "Welcome! Tell us who you are" in library.text
    suggestions = client.get(f"/spaces/{space.slug}/prompts/suggestions")
    assert suggestions.text.count("/prompts/new?key=") == 3
    assert login(member).get(f"/spaces/{space.slug}/prompts").status_code == 403
    assert 'value="prompt"' in client.get(f"/spaces/{space.slug}").text
    assert 'value="prompt"' not in login(member).get(f"/spaces/{space.slug}").text


def test_the_library_speaks_german_to_german_readers(session, login):
    host = make_user(session, locale="de")
    space = make_space(session, host=host, name="Team Vertrieb")
    page = login(host).get(f"/spaces/{space.slug}/prompts/new?key=team-win")
    assert "Was lief diese Woche gut" in page.text


def test_a_host_posts_a_prompt_from_the_library(session, login):
    host = make_user(session)
    space = make_space(session, host=host, name="Platform Team")
    client = login(host)
    form = client.get(f"/spaces/{space.slug}/prompts/new?key=team-time-saver")
    assert "saved you time" in form.text

    response = client.form(
        f"/spaces/{space.slug}/prompts",
        {
            "question": "Share one tool that saved you time this week",
            "context": "Small things count.",
            "answer_format": "One tool and one sentence",
            "library_key": "team-time-saver",
        },
    )

    assert response.status_code == 303
    post = session.exec(select(Post)).one()
    assert post.kind == "prompt"
    assert "One tool and one sentence" in post.body_html
    assert session.get(PromptDetails, post.id).library_key == "team-time-saver"
    assert "already used" in client.get(f"/spaces/{space.slug}/prompts").text.lower()
    assert "/prompts/new?key=" not in client.get(f"/spaces/{space.slug}/prompts/suggestions").text


def test_a_prompt_needs_a_question(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    response = login(host).form(f"/spaces/{space.slug}/prompts", {"question": " "})
    assert response.status_code == 422
    assert "Give it a title" in response.text


def test_moderators_showcase_and_members_suggest(session, login):
    host, author, reader = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(author, reader))
    post = make_post(session, author=author, space=space, title="How we run retros")
    reader_client = login(reader)

    assert "Suggest for the showcase" in reader_client.get(f"/posts/{post.id}").text
    suggested = reader_client.form(f"/posts/{post.id}/showcase", {"note": "Great format"})
    assert suggested.headers["location"] == f"/posts/{post.id}?suggested=1"
    assert session.exec(select(ShowcaseSuggestion)).one().note == "Great format"

    host_client = login(host)
    assert "Great format" in host_client.get("/moderation").text
    featured = host_client.form(
        f"/posts/{post.id}/showcase", {"tags": "Retros, team rituals", "origin": "internal"}
    )
    assert featured.status_code == 303
    page = reader_client.get("/showcase")
    assert "How we run retros" in page.text and "#team-rituals" in page.text
    assert "How we run retros" in reader_client.get("/showcase?tag=retros").text
    assert "How we run retros" not in reader_client.get("/showcase?tag=other").text
    assert "How we run retros" in reader_client.get("/").text  # newest on home


def test_a_showcase_needs_tags(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space)
    response = login(host).form(f"/posts/{post.id}/showcase", {"tags": " , "})
    assert response.status_code == 422
    assert "at least one tag" in response.text


def test_the_showcase_never_shows_closed_spaces_to_outsiders(session, login):
    host, outsider = make_user(session), make_user(session)
    private = make_space(session, host=host, visibility="private")
    post = make_post(session, author=host, space=private, title="Internal secret sauce")
    login(host).form(f"/posts/{post.id}/showcase", {"tags": "sauce"})

    assert "Internal secret sauce" in login(host).get("/showcase").text
    outsider_client = login(outsider)
    assert "Internal secret sauce" not in outsider_client.get("/showcase").text
    assert "sauce" not in outsider_client.get("/showcase").text  # not even its tags
    assert "Internal secret sauce" not in outsider_client.get("/").text


def test_a_suggestion_can_be_declined(session, login):
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    post = make_post(session, author=host, space=space)
    login(reader).form(f"/posts/{post.id}/showcase", {"note": ""})
    suggestion = session.exec(select(ShowcaseSuggestion)).one()
    response = login(host).form(f"/showcase/suggestions/{suggestion.id}/decline")
    assert response.status_code == 303
    session.refresh(suggestion)
    assert suggestion.state == "declined"
    assert login(reader).form(f"/showcase/suggestions/{suggestion.id}/decline").status_code == 403


def test_admins_pin_announcements_on_home_until_they_expire(session, login):
    admin, host, reader = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(admin,))
    post = make_post(
        session, author=host, space=space, title="Office closed Friday", kind="announcement"
    )
    admin_client = login(admin)
    assert "Pin on home" in admin_client.get(f"/posts/{post.id}").text
    tomorrow = (utcnow() + timedelta(days=1)).date().isoformat()

    response = admin_client.form(f"/posts/{post.id}/home-pin", {"expires_at": tomorrow})

    assert response.status_code == 303
    home = login(reader).get("/")
    assert "Office closed Friday" in home.text and "site-pin" in home.text
    yesterday = (utcnow() - timedelta(days=2)).date().isoformat()
    expired = admin_client.form(f"/posts/{post.id}/home-pin", {"expires_at": yesterday})
    assert expired.status_code == 422
    assert login(host).get(f"/posts/{post.id}/home-pin").status_code == 403


def test_only_public_announcements_can_be_pinned_on_home(session, login):
    admin = make_user(session, admin=True)
    space = make_space(session, host=admin)
    post = make_post(session, author=admin, space=space, title="Just chatting")
    response = login(admin).form(f"/posts/{post.id}/home-pin", {"expires_at": ""})
    assert response.status_code == 422
    assert "Only announcements in public spaces" in response.text


def test_scheduled_posts_reach_mentioned_people_after_the_job(session, login):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    login(host).form(
        f"/spaces/{space.slug}/posts",
        {"title": "Later", "body": f"Hi @{anna.handle}", "publish_at": _local(2)},
    )
    anna_client = login(anna)
    assert "mentioned you" not in anna_client.get("/notifications").text
    post = session.exec(select(Post)).one()
    post.published_at = utcnow() - timedelta(seconds=1)
    session.add(post)
    session.commit()
    publish_scheduled_posts(session)
    session.commit()
    assert "mentioned you" in anna_client.get("/notifications").text


def test_the_showcase_loads_more_as_a_fragment_or_a_page(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    for i in range(22):
        post = make_post(session, author=host, space=space, title=f"Example {i}")
        client.form(f"/posts/{post.id}/showcase", {"tags": "x"})
    page = client.get("/showcase")
    cursor = page.text.split("/showcase?cursor=")[1].split('"')[0]

    fragment = client.htmx("GET", f"/showcase?cursor={cursor}")
    full = client.get(f"/showcase?cursor={cursor}")

    assert "<html" not in fragment.text and fragment.text.count("showcase-card") == 2
    assert "<html" in full.text and "Example 0" in full.text
