"""The one-second page cache (issue 19): a repeat is the same bytes, a change is never stale."""

import asyncio
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, update
from sqlmodel import Session, col, select

from app.core import write_watch
from app.core.config import get_settings
from app.core.db import utcnow
from app.core.page_cache import Page, PageCache, pages
from app.moderation.models import Flag
from app.people.models import User
from app.posts.models import Post
from app.web.cached_pages import _keepable, page_key
from tests.conftest import TEST_DATABASE_URL, WebClient
from tests.factories import make_comment, make_post, make_space, make_user

AGE = 1.0  # seconds: the longest allowed


@pytest.fixture(autouse=True)
def _cached(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AGORA_PAGE_CACHE_SECONDS", str(AGE))
    get_settings.cache_clear()
    pages.clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()
    pages.clear()


def _hit(response) -> bool:  # type: ignore[no-untyped-def]
    return response.headers.get("x-page-cache") == "hit"


def _world(session: Session):  # type: ignore[no-untyped-def]
    host, reader = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(reader,))
    post = make_post(session, author=host, space=space, title="Cached title")
    return host, reader, space, post


def _three_pages(space, post) -> list[str]:  # type: ignore[no-untyped-def]
    return ["/", f"/spaces/{space.slug}", f"/posts/{post.id}"]


def test_a_repeat_is_the_same_page_from_memory(session, login):
    _host, reader, space, post = _world(session)
    browser = login(reader)
    for path in _three_pages(space, post):
        first = browser.get(path)
        again = browser.get(path)
        assert first.status_code == again.status_code == 200
        assert not _hit(first) and _hit(again), path
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert "HX-Request" in again.headers["vary"]
        # The security layer still answers for every response.
        assert again.headers["content-security-policy"] == first.headers["content-security-policy"]


def test_a_hit_costs_no_query(session, login, count_queries):
    _host, reader, space, _post = _world(session)
    browser = login(reader)
    browser.get(f"/spaces/{space.slug}")
    with count_queries() as statements:
        assert _hit(browser.get(f"/spaces/{space.slug}"))
    assert statements == []


def test_people_do_not_share_pages(session, login):
    host, reader, space, post = _world(session)
    as_host, as_reader = login(host), login(reader)
    for path in _three_pages(space, post):
        as_host.get(path)
        mine = as_reader.get(path)
        assert not _hit(mine), path
        assert host.display_name not in mine.text.split("<main", 1)[0]  # the menu is the reader's


def test_htmx_and_the_whole_page_are_kept_apart(session, login):
    _host, reader, space, _post = _world(session)
    browser = login(reader)
    path = f"/spaces/{space.slug}"
    whole = browser.get(path)
    part = browser.get(path, headers={"HX-Request": "true", "HX-Target": "stream-items"})
    assert not _hit(part)
    other_target = browser.get(path, headers={"HX-Request": "true", "HX-Target": "content"})
    assert not _hit(other_target)
    boosted = browser.get(path, headers={"HX-Request": "true", "HX-Boosted": "true"})
    assert not _hit(boosted)
    assert _hit(again := browser.get(path)) and again.content == whole.content
    assert _hit(browser.get(path, headers={"HX-Request": "true", "HX-Target": "content"}))


def test_query_strings_and_languages_are_kept_apart(session, login):
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    browser.get("/")
    assert not _hit(browser.get("/?cursor=x"))
    english = browser.get(f"/posts/{post.id}", headers={"Accept-Language": "en"})
    assert not _hit(browser.get(f"/posts/{post.id}", headers={"Accept-Language": "de"}))
    assert _hit(again := browser.get(f"/posts/{post.id}", headers={"Accept-Language": "en"}))
    assert again.content == english.content


def test_the_key_holds_what_shapes_the_page():
    def key(path: str = "/", query: bytes = b"", **headers: str):  # type: ignore[no-untyped-def]
        cookie = "agora_session=s1; agora_csrf=" + "c" * 40
        raw = [(b"cookie", cookie.encode())]
        raw += [(name.replace("_", "-").encode(), v.encode()) for name, v in headers.items()]
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "query_string": query,
            "headers": raw,
            "state": {"csrf_token": "c" * 40},
        }
        return page_key(scope)

    assert key() == key()
    assert key("/spaces/a") != key("/spaces/b")
    assert key("/", b"cursor=1") != key("/", b"cursor=2")
    assert key("/", b"flagged=1") is None  # a one-time notice's parameter
    assert key("/posts/1", b"flagged=1") is None
    assert key("/posts/1", b"cursor=a&since=1") is not None
    assert key("/spaces/new") is None
    assert key("/spaces/a/members") is None
    assert key("/ping") is None
    assert key(hx_request="true") != key()
    assert key(hx_request="true", hx_target="a") != key(hx_request="true", hx_target="b")


def test_anonymous_and_new_browsers_are_not_kept(client):
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "query_string": b"",
        "headers": [(b"cookie", b"agora_csrf=" + b"c" * 40)],
        "state": {"csrf_token": "c" * 40},
    }
    assert page_key(scope) is None  # no session
    scope["headers"] = [(b"cookie", b"agora_session=s1")]
    assert page_key(scope) is None  # no CSRF cookie yet: its token was just made up
    scope["method"] = "POST"
    assert page_key(scope) is None
    assert client.get("/", follow_redirects=False).status_code == 303
    assert len(pages) == 0


def test_a_comment_is_on_the_next_page(session, login):
    _host, reader, space, post = _world(session)
    browser = login(reader)
    for path in _three_pages(space, post):
        browser.get(path)
    response = browser.form(f"/posts/{post.id}/comments", {"body": "Fresh words here"})
    assert response.status_code == 303
    page = browser.get(f"/posts/{post.id}")
    assert not _hit(page) and "Fresh words here" in page.text


def test_an_edit_is_on_the_next_page_of_everyone_in_this_process(session, login):
    host, reader, space, post = _world(session)
    as_host, as_reader = login(host), login(reader)
    for path in _three_pages(space, post):
        as_reader.get(path)
        assert _hit(as_reader.get(path))
    as_host.form(f"/posts/{post.id}/edit", {"title": "Edited title", "body": "new"})
    for path in _three_pages(space, post):
        page = as_reader.get(path)
        assert not _hit(page) and "Edited title" in page.text, path


def test_a_hidden_post_is_gone_from_the_next_page(session, login):
    host, reader, space, post = _world(session)
    flagger = make_user(session)  # reads the public space without joining
    as_reader = login(reader)
    for path in _three_pages(space, post):
        assert "Cached title" in as_reader.get(path).text
    login(flagger).form(f"/posts/{post.id}/flag", {"reason": "confidential"})
    flag = session.exec(select(Flag)).one()
    response = login(host).form(f"/moderation/flags/{flag.id}", {"action": "hide"})
    assert response.status_code == 303
    assert as_reader.get(f"/posts/{post.id}").status_code == 404
    assert "Cached title" not in as_reader.get(f"/spaces/{space.slug}").text
    assert "Cached title" not in as_reader.get("/").text


def test_a_write_by_any_path_of_this_process_drops_every_page(session, login):
    _host, reader, space, post = _world(session)
    browser = login(reader)
    browser.get(f"/posts/{post.id}")
    make_comment(session, author=reader, post=post, body="Written by a service")
    assert "Written by a service" in browser.get(f"/posts/{post.id}").text
    browser.get(f"/spaces/{space.slug}")
    # A Core statement no ORM flush sees (edited_at: the stored card is keyed by it).
    changed = {"title": "Core update", "edited_at": utcnow()}
    session.execute(update(Post).where(col(Post.id) == post.id).values(**changed))
    session.commit()
    assert "Core update" in browser.get(f"/spaces/{space.slug}").text


def test_a_page_read_before_a_write_is_not_kept():
    cache = PageCache()
    seen = write_watch.generation()
    write_watch.written()
    assert not cache.put("k", Page(200, (), b"old", time.monotonic(), seen))
    assert cache.get("k", max_age=AGE) is None


def test_another_process_s_change_shows_once_the_page_expires(session, login):
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    assert "Cached title" in browser.get(f"/posts/{post.id}").text
    elsewhere = create_engine(TEST_DATABASE_URL)  # another process: its writes are not seen here
    try:
        with Session(elsewhere) as other:
            changed = {"title": "Far away", "edited_at": utcnow()}
            other.execute(update(Post).where(col(Post.id) == post.id).values(**changed))
            other.commit()
    finally:
        elsewhere.dispose()
    stale = browser.get(f"/posts/{post.id}")
    assert _hit(stale) and "Cached title" in stale.text  # within the second: allowed
    time.sleep(AGE + 0.05)
    fresh = browser.get(f"/posts/{post.id}")
    assert not _hit(fresh) and "Far away" in fresh.text


def test_a_one_time_notice_is_not_kept(session, login):
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    browser.get(f"/posts/{post.id}?flagged=1")
    assert not _hit(browser.get(f"/posts/{post.id}?flagged=1"))
    assert len(pages) == 0


def test_errors_and_cookies_are_not_kept(session, login, app):
    _host, reader, _space, _post = _world(session)
    browser = login(reader)
    assert browser.get("/posts/999999").status_code == 404
    assert browser.get("/spaces/no-such-space").status_code == 404
    assert len(pages) == 0
    # A browser whose CSRF cookie is new gets it set with the page: not kept.
    with WebClient(app, base_url="http://testserver") as fresh:
        fresh.cookies.set("agora_session", browser.cookies.get("agora_session"))
        fresh.get("/")
        assert len(pages) == 0


def test_cookie_setting_and_no_store_responses_are_not_kept():
    assert _keepable([(b"content-type", b"text/html")])
    assert not _keepable([(b"set-cookie", b"a=b")])
    assert not _keepable([(b"cache-control", b"private, no-store")])


def test_the_store_stays_within_its_bounds():
    cache = PageCache(max_entries=3, max_bytes=800)
    now, generation = time.monotonic(), write_watch.generation()
    for n in range(5):
        assert cache.put(n, Page(200, (), b"x" * 50, now, generation))
    assert len(cache) == 3 and cache.get(0, max_age=AGE) is None
    assert cache.get(2, max_age=AGE) is not None  # now the most recently used
    cache.put(5, Page(200, (), b"x" * 50, now, generation))
    assert cache.get(2, max_age=AGE) is not None and cache.get(3, max_age=AGE) is None
    for n in range(10, 20):
        cache.put(n, Page(200, (), b"y" * 90, now, generation))
    assert cache.size <= 800 and len(cache) <= 3
    assert not cache.put("huge", Page(200, (), b"z" * 101, now, generation))  # over 1/8


def test_pages_expire(session, login):
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    browser.get(f"/posts/{post.id}")
    assert _hit(browser.get(f"/posts/{post.id}"))
    time.sleep(AGE + 0.05)
    assert not _hit(browser.get(f"/posts/{post.id}"))


def test_zero_turns_it_off(session, login, monkeypatch):
    monkeypatch.setenv("AGORA_PAGE_CACHE_SECONDS", "0")
    get_settings.cache_clear()
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    browser.get(f"/posts/{post.id}")
    assert not _hit(browser.get(f"/posts/{post.id}"))
    assert len(pages) == 0


def test_off_in_the_test_suite_unless_asked(monkeypatch):
    monkeypatch.delenv("AGORA_PAGE_CACHE_SECONDS")
    get_settings.cache_clear()
    assert get_settings().page_cache_age == 0
    monkeypatch.setenv("AGORA_ENV", "production")
    monkeypatch.setenv("AGORA_SECRET_KEY", "s" * 40)
    get_settings.cache_clear()
    assert get_settings().page_cache_age == 1.0


def test_a_changed_language_is_served_at_once(session, login):
    _host, reader, _space, post = _world(session)
    browser = login(reader)
    browser.get(f"/posts/{post.id}")
    session.execute(update(User).where(col(User.id) == reader.id).values(locale="de"))
    session.commit()
    assert 'lang="de"' in browser.get(f"/posts/{post.id}").text


async def _asgi_get(app, path: str, cookies: dict[str, str]) -> tuple[int, bool, bytes]:  # type: ignore[no-untyped-def]
    """(status, from memory, body) of a GET sent to the app itself, on this event loop."""
    cookie = "; ".join(f"{name}={value}" for name, value in cookies.items())
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), (b"cookie", cookie.encode())],
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(scope, receive, send)
    start = sent[0]
    hit = (b"x-page-cache", b"hit") in start["headers"]
    return start["status"], hit, b"".join(m.get("body", b"") for m in sent[1:])


def test_requests_for_a_page_being_made_wait_for_it(session, login, app, count_queries):
    _host, reader, space, _post = _world(session)
    browser = login(reader)
    cookies = dict(browser.cookies)
    path = f"/spaces/{space.slug}"
    browser.get(path)
    pages.clear()
    with count_queries() as one:
        made = browser.get(path)
    pages.clear()

    async def at_once() -> list[tuple[int, bool, bytes]]:
        return await asyncio.gather(*(_asgi_get(app, path, cookies) for _ in range(8)))

    with count_queries() as eight:
        answers = asyncio.run(at_once())
    assert [status for status, _hit, _body in answers] == [200] * 8
    assert sum(hit for _status, hit, _body in answers) == 7  # made once, by the first
    assert len({body for _status, _hit, body in answers}) == 1
    assert len(eight) == len(one)
    assert made.status_code == 200


def test_a_request_that_waited_in_vain_makes_its_own_page(session, login, app):
    _host, reader, space, _post = _world(session)
    browser = login(reader)
    cookies = dict(browser.cookies)
    path = f"/spaces/{space.slug}"
    browser.get(path)
    pages.clear()

    async def with_a_write_meanwhile() -> list[tuple[int, bool, bytes]]:
        first = asyncio.ensure_future(_asgi_get(app, path, cookies))
        await asyncio.sleep(0)  # the first is being made now
        write_watch.written()  # a write meanwhile: its page will not be kept
        second = asyncio.ensure_future(_asgi_get(app, path, cookies))
        return [await first, await second]

    (first_status, _, _), (second_status, second_hit, _) = asyncio.run(with_a_write_meanwhile())
    assert first_status == second_status == 200
    assert not second_hit  # it waited for the first, found nothing kept and made its own
