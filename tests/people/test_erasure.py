"""Erasure on request: the account and the person's name go everywhere; discussions stay."""

import pytest
from sqlalchemy import func
from sqlmodel import col, select
from typer.testing import CliRunner

from app.cli import cli
from app.mail.models import OutboxMessage
from app.notifications.models import Notification
from app.people.erasure import erase_person
from app.people.models import ApiToken, AuditEntry, AuthSession, User
from app.posts.models import Comment, Post, PostRevision, Reaction
from app.posts.service import react, update_post
from app.protocols.models import ProtocolRevision
from app.recognition.kudos import give_kudos
from app.recognition.models import Kudos
from app.search.models import SearchDocument
from app.spaces.models import Membership
from tests.factories import make_comment, make_post, make_space, make_token, make_user

NAME = "Erika Mustermann"


def _world(session):
    boss = make_user(session, admin=True, name="Anna Admin")
    erika = make_user(session, name=NAME, email="erika@example.com")
    colleague = make_user(session, name="Carl Colleague")
    space = make_space(session, host=colleague, members=(erika,))
    hers = make_post(session, author=erika, space=space, title="The plan", body="My plan.")
    theirs = make_post(
        session,
        author=colleague,
        space=space,
        title="Thanks to Erika Mustermann",
        body=f"Great work @erika, see you Friday. Also @{boss.handle}.",
    )
    update_post(
        session,
        user=colleague,
        post_id=theirs.id,
        title=theirs.title,
        body=theirs.body + " (edited)",
    )
    make_comment(session, author=erika, post=theirs, body=f"Thanks @{colleague.handle}!")
    make_comment(session, author=colleague, post=hers, body="Nice one, Erika Mustermann.")
    react(session, user=erika, post_id=theirs.id, kind="like")
    give_kudos(
        session, giver=colleague, message="Great teamwork with @erika!", receiver_ids=[boss.id]
    )
    session.add(
        OutboxMessage(
            kind="mention",
            to_address="someone@example.com",
            subject="Erika Mustermann mentioned you",
            text_body="...",
            html_body="...",
            message_id="<a@b>",
        )
    )
    session.commit()
    return boss, erika, colleague, space, hers, theirs


def _all_text(session) -> str:
    """Every text column a reader, search or email could ever show, in one string."""
    parts: list[str] = []
    for model, columns in (
        (Post, ("title", "body", "body_html")),
        (Comment, ("body", "body_html")),
        (PostRevision, ("title", "body")),
        (SearchDocument, ("title", "body", "terms")),
        (Notification, ("text", "params")),
        (OutboxMessage, ("subject", "text_body", "html_body", "to_address")),
        (AuditEntry, ("detail",)),
        (Kudos, ("message",)),
        (User, ("email", "handle", "display_name")),
    ):
        for row in session.exec(select(model).order_by(model.id)).all():
            parts.extend(str(getattr(row, column)) for column in columns)
    return "\n".join(parts).lower()


def test_keep_leaves_discussions_readable_without_a_trace_of_the_name(session, login) -> None:
    boss, erika, colleague, _space, hers, theirs = _world(session)
    erika_client = login(erika)
    token = make_token(session, user=erika)
    erika_id = erika.id
    assert "erika" in _all_text(session)

    admin = login(boss)
    page = admin.get(f"/admin/people/{erika_id}/erase")
    assert page.status_code == 200
    assert "former colleague" in page.text and "erika@example.com" in page.text
    assert f'name="csrf_token" value="{admin.csrf}"' in page.text  # the form can be sent
    done = admin.form(
        f"/admin/people/{erika_id}/erase",
        {"content": "keep", "confirm_email": "Erika@Example.com"},
    )
    assert done.status_code == 303, done.text
    session.expire_all()

    assert session.get(User, erika_id) is None
    assert "erika" not in _all_text(session)
    assert "mustermann" not in _all_text(session)
    kept = session.get(Post, hers.id)
    assert kept is not None and kept.author_id is None
    rewritten = session.get(Post, theirs.id)
    assert rewritten is not None
    assert "former colleague" in rewritten.body and f"@{boss.handle}" in rewritten.body
    assert 'href="/people/' in rewritten.body_html  # other mentions still link
    assert session.exec(select(Comment).where(col(Comment.author_id).is_(None))).one()
    for model in (AuthSession, ApiToken, Reaction, Membership):
        owner = model.user_id  # type: ignore[attr-defined]
        assert not session.exec(select(model).where(owner == erika_id)).all()

    reader = login(colleague)
    for post_id in (hers.id, theirs.id):
        shown = reader.get(f"/posts/{post_id}")
        assert shown.status_code == 200
        assert "Erika" not in shown.text and "@erika" not in shown.text
    assert "Former colleague" in reader.get(f"/posts/{hers.id}").text
    for words in ("Mustermann", "erika"):
        assert "No results" in reader.get(f"/search?q={words}").text
    assert "No results" not in reader.get("/search?q=former colleague").text
    assert "Erika" not in reader.get("/").text
    assert reader.get(f"/people/{erika_id}").status_code == 404

    assert erika_client.get("/", follow_redirects=False).status_code in (303, 307)
    api = erika_client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.erase")).one()
    assert (entry.actor_id, entry.target_id, entry.detail) == (boss.id, erika_id, "content=keep")
    assert "erased" in admin.get("/admin/people?erased=1").text


def test_delete_removes_their_posts_and_comments_and_fixes_the_counts(session) -> None:
    boss, erika, colleague, _space, hers, theirs = _world(session)
    erika_id = erika.id
    erase_person(session, user=erika, content="delete", actor=boss)
    session.commit()
    session.expire_all()
    assert session.get(Post, hers.id) is None
    assert not session.exec(select(Comment).where(Comment.post_id == hers.id)).all()
    survivor = session.get(Post, theirs.id)
    assert survivor is not None and survivor.comment_count == 0
    assert not session.exec(select(Comment).where(Comment.post_id == theirs.id)).all()
    kinds = session.exec(
        select(SearchDocument.kind, func.count()).group_by(col(SearchDocument.kind))
    ).all()
    assert ("comment", 1) not in kinds
    assert not session.exec(
        select(SearchDocument).where(
            SearchDocument.target_id == hers.id, SearchDocument.kind == "post"
        )
    ).all()
    assert "erika" not in _all_text(session)
    assert session.get(User, erika_id) is None
    assert session.get(User, colleague.id) is not None


def test_protocol_credits_lose_the_erased_person(session) -> None:
    from app.protocols.service import create_protocol

    boss, erika, colleague, space, _hers, _theirs = _world(session)
    from app.spaces.access import access_for

    protocol = create_protocol(session, access=access_for(session, erika, space), title="Weekly")
    session.add(
        ProtocolRevision(
            protocol_id=protocol.id,
            number=99,
            kind="manual",
            credited_ids=f"{erika.id},{colleague.id}",
        )
    )
    session.commit()
    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    credits = session.exec(
        select(ProtocolRevision.credited_ids).where(ProtocolRevision.number == 99)
    ).one()
    assert credits == str(colleague.id)


@pytest.mark.parametrize(
    ("form", "problem"),
    [
        ({"content": "maybe", "confirm_email": "erika@example.com"}, "kept or deleted"),
        ({"content": "keep", "confirm_email": "someone@example.com"}, "to confirm"),
        ({"content": "keep"}, "to confirm"),
    ],
)
def test_bad_input_changes_nothing(session, login, form, problem) -> None:
    boss, erika, *_ = _world(session)
    before = _all_text(session)
    answer = login(boss).form(f"/admin/people/{erika.id}/erase", form)
    assert answer.status_code == 422
    assert problem in answer.text
    session.expire_all()
    assert _all_text(session) == before


def test_only_admins_erase_and_never_themselves(session, login) -> None:
    boss, erika, colleague, *_ = _world(session)
    assert login(colleague).get(f"/admin/people/{erika.id}/erase").status_code in (403, 404)
    refused = login(colleague).form(
        f"/admin/people/{erika.id}/erase", {"content": "keep", "confirm_email": erika.email}
    )
    assert refused.status_code in (403, 404)
    own = login(boss).form(
        f"/admin/people/{boss.id}/erase", {"content": "keep", "confirm_email": boss.email}
    )
    assert own.status_code == 422 and "your own account" in own.text
    assert login(boss).get("/admin/people/999999/erase").status_code == 404
    session.expire_all()
    assert session.get(User, erika.id) is not None


def test_the_command_line_erases_by_email(session) -> None:
    _boss, erika, *_ = _world(session)
    erika_id = erika.id
    runner = CliRunner()
    bad = runner.invoke(cli, ["users", "erase", "erika@example.com", "--content", "some"])
    assert bad.exit_code == 2
    unknown = runner.invoke(cli, ["users", "erase", "nobody@example.com", "--content", "keep"])
    assert unknown.exit_code == 1
    result = runner.invoke(cli, ["users", "erase", "erika@example.com", "--content", "delete"])
    assert result.exit_code == 0, result.output
    assert f"Erased account {erika_id}" in result.output
    session.expire_all()
    assert session.get(User, erika_id) is None
    entry = session.exec(select(AuditEntry).where(AuditEntry.action == "user.erase")).one()
    assert entry.actor_id is None and entry.detail == "content=delete"


def test_a_finished_import_forgets_the_erased_person(session) -> None:
    from app.people.import_batches import import_next_batch, start_import
    from app.people.models import PeopleImport

    boss = make_user(session, admin=True, name="Anna Admin")
    text = "email,name\nerika@example.com,Erika Mustermann\nolaf@example.com,Olaf Olsen\n"
    job = start_import(session, text=text, new_people=2, admin=boss)
    import_next_batch(session, import_id=job.id)
    session.commit()
    erika = session.exec(select(User).where(User.email == "erika@example.com")).one()
    erase_person(session, user=erika, content="keep", actor=boss)
    session.commit()
    session.expire_all()
    stored = session.get(PeopleImport, job.id)
    assert stored is not None and stored.text == ""  # cleared when it finished
    assert [entry[1] for entry in stored.invitations] == ["olaf@example.com"]
