"""Without JavaScript every text form still takes files: comments (new and edited), posts being
edited, event descriptions (new and edited) and the protocol's text form. Refused files answer
4xx with a clear message beside the file field, keep what was typed and store nothing."""

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, func, select

from app.access.spaces import access_for
from app.core.config import get_settings
from app.events.models import Event
from app.posts.models import Comment
from app.protocols import service as protocols
from app.protocols.models import Protocol
from app.uploads.models import AttachedTo, Upload
from tests.events.factories import local, make_event, soon
from tests.factories import make_comment, make_post, make_space, make_user
from tests.uploads.factories import png_bytes

HTML_AS_PNG = ("x.png", b"<html><script>alert(1)</script></html>", "image/png")
PDF = ("minutes.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")


def _picture(name: str = "shot.png") -> tuple[str, bytes, str]:
    return (name, png_bytes(), "image/png")


def _uploads(session: Session) -> list[Upload]:
    session.rollback()
    return list(session.exec(select(Upload).order_by(Upload.id)).all())  # type: ignore[arg-type]


@pytest.fixture
def room(session: Session) -> dict[str, Any]:
    host = make_user(session)
    member = make_user(session)
    space = make_space(session, host=host, visibility="private", members=(member,))
    post = make_post(session, author=host, space=space, title="Thread")
    return {"host": host, "member": member, "space": space, "post": post}


# --- comments --------------------------------------------------------------------------------


def test_the_comment_form_sends_its_files_without_javascript(
    room: dict[str, Any], login: Any
) -> None:
    page = login(room["member"]).get(f"/posts/{room['post'].id}")
    form = page.text.split('id="comment-form"', 1)[1].split("</form>", 1)[0]
    assert 'enctype="multipart/form-data"' in form
    assert 'name="attachment"' in form
    # Shown without the script (which, when it runs, uploads at once instead).
    box = form.split('data-attach-for="comment-body"', 1)[1].split(">", 1)[0]
    assert "hidden" not in box


def test_a_comment_with_a_picture_and_a_document(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    web = login(room["member"])
    response = web.form(
        f"/posts/{room['post'].id}/comments",
        {"body": "See the screenshot"},
        files=[("attachment", _picture()), ("attachment", PDF)],
    )
    assert response.status_code == 303, response.text
    comment = session.exec(select(Comment).where(Comment.post_id == room["post"].id)).one()
    picture, document = _uploads(session)
    assert {picture.attached_kind, document.attached_kind} == {AttachedTo.comment}
    assert picture.attached_id == comment.id
    page = web.get(f"/posts/{room['post'].id}")
    assert f'src="/uploads/{picture.token}/large"' in page.text
    assert f'href="/uploads/{picture.token}/shot.png"' in page.text
    assert f'href="/uploads/{document.token}/minutes.pdf"' in page.text
    assert 'class="attachment-card"' in page.text


def test_a_refused_file_keeps_the_comment_typed_and_stores_nothing(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    response = login(room["member"]).form(
        f"/posts/{room['post'].id}/comments",
        {"body": "My careful words"},
        files=[("attachment", HTML_AS_PNG)],
    )
    assert response.status_code == 422
    assert "HTML pages cannot be uploaded." in response.text
    assert "My careful words" in response.text
    assert 'id="comment-body-files-error"' in response.text or "field-error" in response.text
    assert session.exec(select(func.count()).select_from(Comment)).one() == 0
    assert _uploads(session) == []


def test_a_refused_file_in_the_htmx_comment_form_answers_the_form(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    web = login(room["member"])
    response = web.htmx(
        "POST",
        f"/posts/{room['post'].id}/comments",
        data={"body": "Typed in the live form"},
        files=[("attachment", HTML_AS_PNG)],
    )
    assert response.status_code == 422
    assert response.headers["hx-retarget"] == "#comment-form"
    assert "HTML pages cannot be uploaded." in response.text
    assert "Typed in the live form" in response.text


def test_a_file_over_the_limit_is_refused_with_the_limit(
    room: dict[str, Any], login: Any, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "upload_max_mb", 1)
    big = ("big.png", png_bytes() + b"\0" * (1024 * 1024), "image/png")
    response = login(room["member"]).form(
        f"/posts/{room['post'].id}/comments", {"body": "Heavy"}, files=[("attachment", big)]
    )
    assert response.status_code == 422
    assert "The file is larger than 1 MB." in response.text
    assert "Heavy" in response.text
    assert _uploads(session) == []


def test_an_edited_comment_takes_files_too(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    comment = make_comment(session, author=room["member"], post=room["post"], body="First")
    web = login(room["member"])
    form = web.get(f"/comments/{comment.id}/edit").text
    assert 'enctype="multipart/form-data"' in form and 'name="attachment"' in form
    response = web.form(
        f"/comments/{comment.id}/edit", {"body": "First, now with a picture"},
        files=[("attachment", _picture("after.png"))],
    )  # fmt: skip
    assert response.status_code == 303, response.text
    (upload,) = _uploads(session)
    assert (upload.attached_kind, upload.attached_id) == (AttachedTo.comment, comment.id)
    assert f'href="/uploads/{upload.token}/after.png"' in web.get(f"/posts/{room['post'].id}").text
    refused = web.form(
        f"/comments/{comment.id}/edit", {"body": "Changed again"},
        files=[("attachment", HTML_AS_PNG)],
    )  # fmt: skip
    assert refused.status_code == 422
    assert "HTML pages cannot be uploaded." in refused.text and "Changed again" in refused.text


def test_an_edited_post_takes_files_too(room: dict[str, Any], login: Any, session: Session) -> None:
    web = login(room["host"])
    post = room["post"]
    response = web.form(
        f"/posts/{post.id}/edit", {"title": "Thread", "body": "Now with slides"},
        files=[("attachment", PDF)],
    )  # fmt: skip
    assert response.status_code == 303, response.text
    (upload,) = _uploads(session)
    assert (upload.attached_kind, upload.attached_id) == (AttachedTo.post, post.id)
    page = web.get(f"/posts/{post.id}").text
    assert f'href="/uploads/{upload.token}/minutes.pdf"' in page and "attachment-card" in page


# --- events ----------------------------------------------------------------------------------


def _event_form(title: str, description: str) -> dict[str, str]:
    start = soon(48)
    return {
        "title": title,
        "description": description,
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=1)),
        "timezone": "Europe/Berlin",
        "location": "Lounge",
        "repeat": "none",
    }


def test_a_new_event_takes_a_picture_in_its_description(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    web = login(room["host"])
    form = web.get(f"/spaces/{room['space'].slug}/events/new").text
    assert 'enctype="multipart/form-data"' in form and 'name="attachment"' in form
    response = web.form(
        f"/spaces/{room['space'].slug}/events",
        _event_form("Offsite", "The venue:"),
        files=[("attachment", _picture("venue.png"))],
    )
    assert response.status_code == 303, response.text
    event = session.exec(select(Event).where(Event.title == "Offsite")).one()
    (upload,) = _uploads(session)
    # Not its discussion post (saved first, repeating the description): deleting that post
    # must not take the event's pictures.
    assert (upload.attached_kind, upload.attached_id) == (AttachedTo.event, event.id)
    page = web.get(f"/events/{event.id}")
    assert f'src="/uploads/{upload.token}/large"' in page.text


def test_a_refused_file_keeps_the_event_form_as_typed(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    response = login(room["host"]).form(
        f"/spaces/{room['space'].slug}/events",
        _event_form("Not yet", "Bring snacks"),
        files=[("attachment", HTML_AS_PNG)],
    )
    assert response.status_code == 422
    assert "HTML pages cannot be uploaded." in response.text
    assert "Bring snacks" in response.text and 'value="Not yet"' in response.text
    assert session.exec(select(Event).where(Event.title == "Not yet")).first() is None
    assert _uploads(session) == []


def test_an_edited_event_takes_files_and_refuses_bad_ones(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    event = make_event(session, host=room["host"], space=room["space"])
    web = login(room["host"])
    form = {**_event_form(event.title, "Agenda attached"), "repeat": "none"}
    response = web.form(f"/events/{event.id}/edit", form, files=[("attachment", PDF)])
    assert response.status_code == 303, response.text
    (upload,) = _uploads(session)
    assert (upload.attached_kind, upload.attached_id) == (AttachedTo.event, event.id)
    assert 'class="attachment-card"' in web.get(f"/events/{event.id}").text
    refused = web.form(
        f"/events/{event.id}/edit", {**form, "description": "Second try"},
        files=[("attachment", HTML_AS_PNG)],
    )  # fmt: skip
    assert refused.status_code == 422
    assert "HTML pages cannot be uploaded." in refused.text and "Second try" in refused.text


# --- the protocol's text form ----------------------------------------------------------------


def _protocol(session: Session, room: dict[str, Any]) -> Protocol:
    access = access_for(session, room["host"], room["space"])
    protocol = protocols.create_protocol(session, access=access, title="Weekly", text="# Weekly\n")
    session.commit()
    return protocol


def test_the_protocol_text_form_takes_files(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    protocol = _protocol(session, room)
    web = login(room["member"])
    form = web.get(f"/protocols/{protocol.id}/edit").text
    assert 'enctype="multipart/form-data"' in form and 'name="attachment"' in form
    response = web.form(
        f"/protocols/{protocol.id}/edit",
        {"text": "# Weekly\n\nWhiteboard:\n", "base_version": "1"},
        files=[("attachment", _picture("board.png")), ("attachment", PDF)],
    )
    assert response.status_code == 303, response.text
    picture, document = _uploads(session)
    assert {picture.attached_kind, document.attached_kind} == {AttachedTo.protocol}
    assert picture.attached_id == protocol.id
    page = web.get(f"/protocols/{protocol.id}")
    assert f"/uploads/{picture.token}/board.png" in page.text
    assert web.get(f"/uploads/{document.token}/minutes.pdf").status_code == 200
    assert login(make_user(session)).get(f"/uploads/{picture.token}/board.png").status_code == 404


def test_a_refused_file_keeps_the_protocol_text_as_typed(
    room: dict[str, Any], login: Any, session: Session
) -> None:
    protocol = _protocol(session, room)
    response = login(room["member"]).form(
        f"/protocols/{protocol.id}/edit", {"text": "# Weekly\n\nMy notes\n", "base_version": "1"},
        files=[("attachment", HTML_AS_PNG)],
    )  # fmt: skip
    assert response.status_code == 422
    assert "HTML pages cannot be uploaded." in response.text
    assert "My notes" in response.text
    assert _uploads(session) == []
    session.expire_all()
    assert "My notes" not in (session.get(Protocol, protocol.id).text or "")  # type: ignore[union-attr]
