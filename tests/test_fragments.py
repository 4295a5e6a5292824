"""Fragments every reader sees alike are rendered once per key and never go stale."""

import re

from markupsafe import Markup

from app.people.service import update_profile
from app.posts.service import react, update_post
from app.recognition.service import set_leader
from app.web import fragments
from tests.factories import make_comment, make_post, make_space, make_user


def test_a_fragment_is_rendered_once_per_key() -> None:
    calls: list[str] = []

    def render(text: str):  # type: ignore[no-untyped-def]
        return lambda: calls.append(text) or Markup("<p>%s</p>") % text

    assert fragments.fragment(("test", 1), render("one")) == "<p>one</p>"
    assert fragments.fragment(("test", 1), render("other")) == "<p>one</p>"
    assert fragments.fragment(("test", 2), render("two")) == "<p>two</p>"
    assert calls == ["one", "two"]


def test_a_fragment_too_large_to_keep_is_still_served() -> None:
    huge = "x" * (fragments.MAX_BYTES // 32)
    assert fragments.fragment(("test", "huge"), lambda: huge) == huge
    assert fragments.fragment(("test", "huge"), lambda: "again") == "again"


def test_text_that_is_not_markup_is_escaped() -> None:
    assert fragments.fragment(("test", "plain"), lambda: "<b>") == "&lt;b&gt;"


def test_cards_show_each_rename_edit_and_reaction_at_once(session, login) -> None:  # type: ignore[no-untyped-def]
    host = make_user(session, name="Hanna Host")
    reader, fan = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader, fan))
    post = make_post(session, author=host, space=space, title="First title", body="First text")
    client = login(reader)

    def page() -> str:
        return str(client.get(f"/spaces/{space.slug}").text)

    before = page()
    assert "First title" in before and "Hanna Host" in before and 'aria-label="Like (0)"' in before

    update_profile(
        session, user=host, display_name="Hanna Renamed", title="", department="",
        locale="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    session.commit()
    renamed = page()
    assert "Hanna Renamed" in renamed and "Hanna Host" not in renamed

    update_post(session, user=host, post_id=post.id, title="Second title", body="Second text")
    session.commit()
    edited = page()
    assert "Second title" in edited and "Second text" in edited and "First text" not in edited
    assert "edited" in edited

    react(session, user=fan, post_id=post.id, kind="like")
    session.commit()
    reacted = page()
    assert 'aria-label="Like (1)"' in reacted and 'aria-label="Like (0)"' not in reacted


def test_reaction_forms_carry_each_readers_own_token_and_state(session, login) -> None:  # type: ignore[no-untyped-def]
    host, one, two = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(one, two))
    post = make_post(session, author=host, space=space)
    react(session, user=one, post_id=post.id, kind="thanks")
    session.commit()
    pages = {}
    for person in (one, two):
        client = login(person)
        pages[person.id] = (client.csrf, client.get(f"/spaces/{space.slug}").text)
    for token, page in pages.values():
        form = re.search(r'<form [^>]*class="reactions".*?</form>', page, re.S)
        assert form is not None
        assert f'name="csrf_token" value="{token}"' in form.group(0)
        assert "csrf-slot-" not in page
    assert 'aria-pressed="true"' in pages[one.id][1]
    assert 'aria-pressed="true"' not in pages[two.id][1]
    assert pages[one.id][0] != pages[two.id][0]


def test_cards_and_comments_follow_each_readers_language(session, login) -> None:  # type: ignore[no-untyped-def]
    host = make_user(session)
    english, german = make_user(session, locale="en"), make_user(session, locale="de")
    space = make_space(session, host=host, members=(english, german))
    post = make_post(session, author=host, space=space, kind="question")
    make_comment(session, author=host, post=post)
    session.commit()
    seen = {p.locale: login(p) for p in (english, german)}
    assert ">Question<" in seen["en"].get(f"/spaces/{space.slug}").text
    assert ">Frage<" in seen["de"].get(f"/spaces/{space.slug}").text
    assert ">Question<" in seen["en"].get(f"/spaces/{space.slug}").text
    assert "ago" in seen["en"].get(f"/posts/{post.id}").text
    assert "vor" in seen["de"].get(f"/posts/{post.id}").text


def test_a_renamed_commenter_shows_under_the_new_name(session, login) -> None:  # type: ignore[no-untyped-def]
    host, commenter = make_user(session), make_user(session, name="Carla Comment")
    space = make_space(session, host=host, members=(commenter,))
    post = make_post(session, author=host, space=space)
    make_comment(session, author=commenter, post=post)
    session.commit()
    client = login(host)
    assert "Carla Comment" in client.get(f"/posts/{post.id}").text
    update_profile(
        session, user=commenter, display_name="Carla Renamed", title="", department="",
        locale="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    session.commit()
    page = client.get(f"/posts/{post.id}").text
    assert "Carla Renamed" in page and "Carla Comment" not in page


def test_stored_comments_show_each_reader_their_own_tools(session, login) -> None:  # type: ignore[no-untyped-def]
    host, writer, reader = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(writer, reader))
    post = make_post(session, author=host, space=space)
    comment = make_comment(session, author=writer, post=post, body="Stored once")
    session.commit()
    clients = {person.id: login(person) for person in (writer, reader)}
    pages = {pid: c.get(f"/posts/{post.id}").text for pid, c in clients.items()}
    mine, theirs = pages[writer.id], pages[reader.id]
    assert f'href="/comments/{comment.id}/edit"' in mine
    assert f'href="/comments/{comment.id}/flag"' not in mine
    assert f'name="csrf_token" value="{clients[writer.id].csrf}"' in mine
    assert f'href="/comments/{comment.id}/edit"' not in theirs
    assert f'href="/comments/{comment.id}/flag"' in theirs
    for page in (mine, theirs):
        assert "Stored once" in page and "csrf-slot-" not in page
    # The writer's page again, after the reader's: still the writer's own tools.
    again = clients[writer.id].get(f"/posts/{post.id}").text
    assert f'href="/comments/{comment.id}/edit"' in again


def test_the_stored_navigation_follows_role_and_section(session, login) -> None:  # type: ignore[no-untyped-def]
    admin, member = make_user(session, admin=True), make_user(session)
    space = make_space(session, host=admin, members=(member,))
    as_admin, as_member = login(admin), login(member)
    assert 'href="/admin/people"' in as_admin.get("/").text
    home = as_member.get("/").text
    assert 'href="/admin/people"' not in home
    assert '<a href="/" aria-current="page">' in home
    spaces = as_member.get(f"/spaces/{space.slug}").text
    assert '<a href="/spaces" aria-current="page">' in spaces
    assert '<a href="/" aria-current="page">' not in spaces


def test_the_stored_menu_shows_each_reader_their_name_and_sign_out_token(session, login) -> None:  # type: ignore[no-untyped-def]
    first, second = make_user(session, name="Mina First"), make_user(session, name="Olaf Second")
    session.commit()
    clients = {person.id: login(person) for person in (first, second)}
    for _round in (1, 2):  # the second round is served from the stored menus
        for person in (first, second):
            client = clients[person.id]
            page = client.get("/").text
            (sign_out,) = _forms(page, "/logout")
            assert f'value="{client.csrf}"' in sign_out
            menu = page[page.index('<details class="menu nav-user">') :]
            menu = menu[: menu.index("</details>")]
            other = second if person is first else first
            assert person.display_name in menu and other.display_name not in menu
            assert "csrf-slot-" not in page
    update_profile(
        session, user=first, display_name="Mina Renamed", title="", department="",
        locale="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    session.commit()
    page = clients[first.id].get("/").text
    assert "Mina Renamed" in page and "Mina First" not in page


def test_leaders_voices_show_a_renamed_leader_and_an_edited_title(session, login) -> None:  # type: ignore[no-untyped-def]
    admin, leader, reader = make_user(session, admin=True), make_user(session), make_user(session)
    space = make_space(session, host=leader, members=(reader,))
    post = make_post(session, author=leader, space=space, title="Plans for the year")
    set_leader(session, actor=admin, person=leader, is_leader=True, title="CEO")
    session.commit()
    client = login(reader)

    def voices() -> str:
        page = str(client.get("/").text)
        return page.split('class="card voices"', 1)[1].split("</section>", 1)[0]

    assert "Plans for the year" in voices() and leader.display_name in voices()
    update_profile(
        session, user=leader, display_name="Renamed Leader", title="", department="",
        locale="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    session.commit()
    assert "Renamed Leader" in voices()
    update_post(session, user=leader, post_id=post.id, title="Plans, revised")
    session.commit()
    assert "Plans, revised" in voices() and "Plans for the year" not in voices()


def test_the_stored_getting_started_list_follows_progress_and_takes_the_readers_token(
    session, login
) -> None:  # type: ignore[no-untyped-def]
    newcomer = make_user(session)
    client = login(newcomer)
    home = client.get("/").text
    assert "0 of 4 done" in home
    form = re.search(r'action="/welcome/dismiss".*?</form>', home, re.S)
    assert form is not None and f'value="{client.csrf}"' in form.group(0)
    update_profile(
        session, user=newcomer, display_name=newcomer.display_name, title="Engineer",
        department="Platform", locale="en", time_zone="Europe/Berlin",
    )  # fmt: skip
    session.commit()
    assert "1 of 4 done" in client.get("/").text
    token = re.search(r'action="/welcome/dismiss".*?value="([^"]+)"', home, re.S)
    assert token is not None
    answer = client.post("/welcome/dismiss", data={"csrf_token": token.group(1)})
    assert answer.status_code in (200, 303)
    assert "Getting started" not in client.get("/").text


def _forms(page: str, action: str) -> list[str]:
    return re.findall(rf'<form [^>]*action="{re.escape(action)}".*?</form>', page, re.S)


def test_the_stored_space_header_follows_each_readers_rights_and_token(session, login) -> None:  # type: ignore[no-untyped-def]
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    second = make_user(session)  # the same rights as `member`: served the same stored header
    space = make_space(session, host=host, members=(member, second), name="Header Space")
    clients = {person.id: login(person) for person in (host, member, second, outsider)}
    pages = {pid: c.get(f"/spaces/{space.slug}").text for pid, c in clients.items()}

    for pid, page in pages.items():
        assert "csrf-slot-" not in page
        for form in _forms(page, f"/spaces/{space.slug}/leave") + _forms(
            page, f"/spaces/{space.slug}/join"
        ):
            assert f'value="{clients[pid].csrf}"' in form
    assert _forms(pages[member.id], f"/spaces/{space.slug}/leave")
    assert _forms(pages[second.id], f"/spaces/{space.slug}/leave")
    assert not _forms(pages[outsider.id], f"/spaces/{space.slug}/leave")
    assert _forms(pages[outsider.id], f"/spaces/{space.slug}/join")
    assert f'href="/spaces/{space.slug}/edit"' in pages[host.id]
    assert f'href="/spaces/{space.slug}/edit"' not in pages[member.id]
    assert "3 members" in pages[outsider.id]

    clients[outsider.id].form(f"/spaces/{space.slug}/join", {})
    again = clients[outsider.id].get(f"/spaces/{space.slug}").text
    assert _forms(again, f"/spaces/{space.slug}/leave") and "4 members" in again
    on_events = clients[member.id].get(f"/spaces/{space.slug}/events").text
    assert f'href="/spaces/{space.slug}/events" aria-current="page"' in on_events


def test_a_stored_blank_composer_takes_each_writers_token_and_kinds(session, login) -> None:  # type: ignore[no-untyped-def]
    host, member, second = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member, second))
    clients = {person.id: login(person) for person in (host, member, second)}
    composers = {}
    for pid, client in clients.items():
        page = client.get(f"/spaces/{space.slug}").text
        (composer,) = _forms(page, f"/spaces/{space.slug}/posts")
        assert f'value="{client.csrf}"' in composer and "csrf-slot-" not in page
        composers[pid] = composer
    assert 'value="announcement"' in composers[host.id]
    assert 'value="announcement"' not in composers[member.id]

    typed = clients[member.id].form(
        f"/spaces/{space.slug}/posts", {"title": "Kept title", "body": "", "kind": "question"}
    )
    assert typed.status_code == 422
    (composer,) = _forms(typed.text, f"/spaces/{space.slug}/posts")
    assert 'value="Kept title"' in composer and 'value="question" selected' in composer
    blank = clients[member.id].get(f"/spaces/{space.slug}").text
    assert "Kept title" not in blank


def test_a_stored_blank_comment_form_takes_each_readers_token(session, login) -> None:  # type: ignore[no-untyped-def]
    host, one, two = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(one, two))
    post = make_post(session, author=host, space=space)
    clients = {person.id: login(person) for person in (one, two)}
    for client in clients.values():
        page = client.get(f"/posts/{post.id}").text
        (form,) = _forms(page, f"/posts/{post.id}/comments")
        assert f'value="{client.csrf}"' in form and "csrf-slot-" not in page
        assert "Visible to everyone at the company." in page

    too_long = "x" * 10_001
    answer = clients[one.id].form(f"/posts/{post.id}/comments", {"body": too_long})
    assert answer.status_code == 422
    (form,) = _forms(answer.text, f"/posts/{post.id}/comments")
    assert too_long in form
    assert too_long not in clients[two.id].get(f"/posts/{post.id}").text


def test_the_stored_coming_up_box_follows_renamed_and_moved_events(session, login) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.events.service import update_event
    from tests.events.factories import event_input, make_event, soon

    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    start = soon(30)
    event = make_event(session, host=host, space=space, title="Board night", start=start)
    client = login(member)

    def box() -> str:
        page = client.get("/").text
        found = re.search(r'<section class="card upcoming-aside".*?</section>', page, re.S)
        assert found is not None
        return found.group(0)

    def change(**fields) -> None:  # type: ignore[no-untyped-def]
        update_event(session, user=host, event_id=event.id, data=event_input(**fields))
        session.commit()

    before = box()
    assert "Board night" in before
    change(title="Board night", start=start + timedelta(days=1, hours=2))
    moved = box()
    assert "Board night" in moved and moved != before  # the same title, at the new time
    change(title="Games night", start=start + timedelta(days=1, hours=2))
    renamed = box()
    assert "Games night" in renamed and "Board night" not in renamed
