"""Protocol pages and the JSON API: access for outsider/member/host/admin, forms, query counts."""

import pytest
from sqlmodel import select

from app.posts.models import Post
from app.protocols import editing, service
from app.protocols.models import ActionItem, Protocol
from app.protocols.rooms import registry
from tests.factories import make_space, make_token, make_user

PAGES = ["", "/history", "/export.md", "/print", "/edit", "/preview", "/diff?a=1&b=1"]


@pytest.fixture
def private_protocol(session, make_protocol):
    host, member, outsider = make_user(session), make_user(session), make_user(session)
    admin = make_user(session, admin=True)
    space = make_space(session, host=host, members=(member,), visibility="private")
    protocol = make_protocol(host, space, text="# Secret minutes\n- [ ] @nobody hidden task\n")
    return protocol, space, {"host": host, "member": member, "outsider": outsider, "admin": admin}


@pytest.mark.parametrize("page", PAGES)
def test_outsider_and_admin_non_member_get_404_on_private_protocol_pages(
    private_protocol, login, page
):
    protocol, _space, people = private_protocol
    for who in ("outsider", "admin"):
        response = login(people[who]).get(f"/protocols/{protocol.id}{page}")
        assert response.status_code == 404, (who, page)
        assert "Secret minutes" not in response.text


@pytest.mark.parametrize("page", PAGES)
def test_member_and_host_can_open_every_page(private_protocol, login, page):
    protocol, _space, people = private_protocol
    for who in ("member", "host"):
        response = login(people[who]).get(f"/protocols/{protocol.id}{page}")
        assert response.status_code == 200, (who, page)


def test_space_protocol_list_and_create(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    client = login(host)
    created = client.form(
        f"/spaces/{space.slug}/protocols", {"title": "Retro 12", "template": "retro"}
    )
    assert created.status_code == 303
    page = client.get(created.headers["location"])
    assert "What went well" in page.text
    assert "protocol-editor.js" in page.text  # the bundle loads on protocol pages
    listing = client.get(f"/spaces/{space.slug}/protocols?q=retro")
    assert "Retro 12" in listing.text
    assert "Retro 12" not in client.get(f"/spaces/{space.slug}/protocols?q=budget").text
    assert "protocol-editor.js" not in client.get(f"/spaces/{space.slug}").text
    invalid = client.form(f"/spaces/{space.slug}/protocols", {"title": "  ", "template": "retro"})
    assert invalid.status_code == 422
    assert "Give the protocol a title" in invalid.text


def test_reader_of_public_space_sees_but_cannot_edit(session, login, make_protocol):
    host, reader = make_user(session), make_user(session)
    protocol = make_protocol(host, make_space(session, host=host))
    client = login(reader)
    assert client.get(f"/protocols/{protocol.id}").status_code == 200
    response = client.form(f"/protocols/{protocol.id}/edit", {"text": "x", "base_version": "1"})
    assert response.status_code == 403


def test_form_edit_with_conflict_shows_both_versions_side_by_side(session, login, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="a\nb\n")
    client = login(host)
    assert (
        client.form(
            f"/protocols/{protocol.id}/edit", {"text": "a\nX\n", "base_version": "1"}
        ).status_code
        == 303
    )
    clash = client.form(f"/protocols/{protocol.id}/edit", {"text": "a\nY\n", "base_version": "1"})
    assert clash.status_code == 409
    assert "Your version" in clash.text
    assert "a\nY" in clash.text
    assert "a\nX" in clash.text


def test_publish_lock_summary_and_my_action_items(session, login, make_protocol):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    text = (
        "# M\n## Decisions\n- Buy chairs\n## Action items\n"
        f"- [ ] @{anna.handle} Order chairs (due 2026-12-15)\n"
    )
    protocol = make_protocol(host, space, text=text)
    client = login(host)
    assert client.form(f"/protocols/{protocol.id}/publish").status_code == 303
    summary = client.form(f"/protocols/{protocol.id}/summary")
    assert summary.status_code == 303
    post = session.exec(select(Post)).one()
    assert "Buy chairs" in post.body
    assert "Order chairs" in post.body
    anna_client = login(anna)
    mine = anna_client.get("/action-items")
    assert "Order chairs" in mine.text
    item = session.exec(select(ActionItem)).one()
    toggled = anna_client.htmx(
        "POST",
        f"/action-items/{item.id}/toggle",
        target=f"action-item-{item.id}",
        data={"done": "true"},
    )
    assert toggled.status_code == 200
    assert "is-done" in toggled.text
    assert "- [x] @" in service.derived_text(protocol.id)[0]
    assert client.form(f"/protocols/{protocol.id}/lock", {"locked": "true"}).status_code == 303
    assert (
        anna_client.form(f"/protocols/{protocol.id}/lock", {"locked": "false"}).status_code == 403
    )


def test_history_restore_and_diff(session, login, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="first\n")
    client = login(host)
    client.form(f"/protocols/{protocol.id}/edit", {"text": "second\n", "base_version": "1"})
    diff = client.get(f"/protocols/{protocol.id}/diff?a=1&b=2")
    assert 'class="diff-add"' in diff.text
    assert "second" in diff.text
    assert client.form(f"/protocols/{protocol.id}/restore", {"number": "1"}).status_code == 303
    assert service.derived_text(protocol.id)[0] == "first\n"
    assert "from revision 1" in client.get(f"/protocols/{protocol.id}/history").text


def test_export_markdown_is_the_document_text(session, login, make_protocol):
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="# Übersicht\n")
    response = login(host).get(f"/protocols/{protocol.id}/export.md")
    assert response.text == "# Übersicht\n"
    assert response.headers["content-type"].startswith("text/markdown")


def test_protocol_page_query_count_does_not_grow(session, login, make_protocol, count_queries):
    host = make_user(session)
    people = [make_user(session) for _ in range(6)]
    space = make_space(session, host=host, members=tuple(people))
    small = make_protocol(host, space, text=f"- [ ] @{people[0].handle} one\n")
    lines = "".join(
        f"- [ ] @{p.handle} task {i}\n## Decisions\n- d{i}\n" for i, p in enumerate(people * 5)
    )
    big = make_protocol(host, space, text=lines)
    client = login(host)
    client.get(f"/protocols/{small.id}")
    client.get(f"/protocols/{big.id}")
    with count_queries() as few:
        assert client.get(f"/protocols/{small.id}").status_code == 200
    with count_queries() as many:
        assert client.get(f"/protocols/{big.id}").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 10


def test_api_create_get_put_merge_conflict_revisions_and_my_items(session, client, make_protocol):
    host = make_user(session)
    space = make_space(session, host=host, visibility="private")
    auth = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    created = client.post(
        f"/api/v1/spaces/{space.slug}/protocols",
        json={"title": "API", "text": "a\nb\nc\n"},
        headers=auth,
    )
    assert created.status_code == 201
    pid = created.json()["id"]
    got = client.get(f"/api/v1/protocols/{pid}", headers=auth).json()
    assert got["text"] == "a\nb\nc\n"
    assert got["version"] == 1
    one = client.put(
        f"/api/v1/protocols/{pid}", json={"text": "A\nb\nc\n", "base_version": 1}, headers=auth
    )
    assert one.status_code == 200
    assert one.json()["merged"] is False
    two = client.put(
        f"/api/v1/protocols/{pid}", json={"text": "a\nb\nC\n", "base_version": 1}, headers=auth
    )
    assert two.status_code == 200
    assert two.json()["merged"] is True
    assert two.json()["text"] == "A\nb\nC\n"
    clash = client.put(
        f"/api/v1/protocols/{pid}", json={"text": "Z\nb\nc\n", "base_version": 1}, headers=auth
    )
    assert clash.status_code == 409
    assert clash.json()["yours"] == "Z\nb\nc\n"
    assert clash.json()["theirs"] == "A\nb\nC\n"
    revisions = client.get(f"/api/v1/protocols/{pid}/revisions", headers=auth).json()["items"]
    assert [r["version"] for r in revisions] == [4, 3, 2, 1]
    assert client.get("/api/v1/me/action-items", headers=auth).json() == {"items": []}
    listing = client.get(f"/api/v1/spaces/{space.slug}/protocols", headers=auth).json()
    assert [p["title"] for p in listing["items"]] == ["API"]


def test_api_hides_private_protocols_from_outsiders(session, client, make_protocol):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private")
    protocol = make_protocol(host, space)
    auth = {"Authorization": f"Bearer {make_token(session, user=outsider)}"}
    assert client.get(f"/api/v1/protocols/{protocol.id}", headers=auth).status_code == 404
    assert client.get(f"/api/v1/protocols/{protocol.id}/revisions", headers=auth).status_code == 404
    assert (
        client.put(
            f"/api/v1/protocols/{protocol.id}", json={"text": "x", "base_version": 1}, headers=auth
        ).status_code
        == 404
    )
    assert client.get(f"/api/v1/protocols/{protocol.id}").status_code == 401


def test_fifty_concurrent_api_saves_from_one_base_all_land(session, client, make_protocol):
    from concurrent.futures import ThreadPoolExecutor

    host = make_user(session)
    base = "".join(f"item {i}\n\n" for i in range(50))
    protocol = make_protocol(host, make_space(session, host=host), text=base)
    auth = {"Authorization": f"Bearer {make_token(session, user=host)}"}

    def save(i: int) -> int:
        text = base.replace(f"item {i}\n", f"item {i} done\n")
        body = {"text": text, "base_version": 1}
        return client.put(f"/api/v1/protocols/{protocol.id}", json=body, headers=auth).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(save, range(50)))

    assert statuses == [200] * 50
    revisions = client.get(f"/api/v1/protocols/{protocol.id}/revisions", headers=auth).json()
    assert sum(1 for r in revisions["items"] if r["kind"] == "form") == 50
    final = client.get(f"/api/v1/protocols/{protocol.id}", headers=auth).json()["text"]
    assert all(f"item {i} done\n" in final for i in range(50))


def test_api_ticking_an_action_item_answers_its_assignee(session, client, make_protocol):
    host, anna = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(anna,))
    protocol = make_protocol(host, space, text=f"# M\n- [ ] @{anna.handle} Order chairs\n")
    item = session.exec(select(ActionItem).where(ActionItem.protocol_id == protocol.id)).one()
    assert item.assignee_id == anna.id
    for who in (anna, host):  # the assignee, and a member who edits the protocol
        auth = {"Authorization": f"Bearer {make_token(session, user=who)}"}
        ticked = client.patch(f"/api/v1/action-items/{item.id}", json={"done": True}, headers=auth)
        assert ticked.status_code == 200
        assert ticked.json()["assignee"] == anna.handle
        assert ticked.json()["done"] is True


def test_api_text_is_the_text_of_the_version_it_names(session, client, make_protocol, monkeypatch):
    """A save (from another process) can reach the live document between the moment a GET
    brings the stored copy of the text up to date and the moment it picks the version. The GET
    once answered that older copy with the newer version number, and the next save from it
    deleted the other person's line."""
    host = make_user(session)
    protocol = make_protocol(host, make_space(session, host=host), text="a\nb\n")
    auth = {"Authorization": f"Bearer {make_token(session, user=host)}"}
    pick_version = editing.current_version

    def save_lands_first(session, *, protocol_id):
        room = registry.get(protocol_id)
        room.change_text(lambda current: [(len(current), len(current), "theirs\n")], host.id)
        return pick_version(session, protocol_id=protocol_id)

    monkeypatch.setattr(editing, "current_version", save_lands_first)
    got = client.get(f"/api/v1/protocols/{protocol.id}", headers=auth).json()
    monkeypatch.setattr(editing, "current_version", pick_version)

    assert got["text"] == "a\nb\ntheirs\n"
    mine = "a\nmine\n" + got["text"][2:]
    saved = client.put(
        f"/api/v1/protocols/{protocol.id}",
        json={"text": mine, "base_version": got["version"]},
        headers=auth,
    )
    assert saved.status_code == 200
    assert saved.json()["text"] == "a\nmine\nb\ntheirs\n"
    assert registry.get(protocol.id).text() == "a\nmine\nb\ntheirs\n"


def test_a_refused_protocol_keeps_the_title_typed_and_stores_nothing(session, login):
    host = make_user(session)
    space = make_space(session, host=host)
    typed = "Budget " * 40  # 280 characters: over the limit
    page = login(host).form(
        f"/spaces/{space.slug}/protocols", {"title": typed, "template": "retro"}
    )
    assert page.status_code == 422
    error = page.text.split('id="title-error"', 1)[1].split("</p>", 1)[0]
    assert "at most 200 characters" in error
    assert f'value="{typed}"' in page.text
    assert '<option value="retro" selected>' in page.text
    assert session.exec(select(Protocol)).all() == []
