"""The composer: the file field on every text form, and the plain form post without JavaScript."""

from typing import Any

from sqlmodel import Session, select

from app.posts.models import Post
from app.uploads.models import AttachedTo, Upload
from app.uploads.service import upload_url
from tests.factories import make_post, make_space, make_user
from tests.uploads.factories import make_upload, png_bytes


def test_the_composer_offers_files(session: Session, login: Any) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    page = login(host).get(f"/spaces/{space.slug}")
    assert 'enctype="multipart/form-data"' in page.text
    assert 'data-attach-for="post-body"' in page.text
    assert 'name="attachment"' in page.text


def test_a_plain_form_post_stores_and_shows_its_files(session: Session, login: Any) -> None:
    host = make_user(session)
    space = make_space(session, host=host, visibility="private")
    web = login(host)
    response = web.post(
        f"/spaces/{space.slug}/posts",
        data={"csrf_token": web.refresh_csrf(), "title": "Slides", "body": "From today"},
        files=[
            ("attachment", ("shot.png", png_bytes(), "image/png")),
            ("attachment", ("minutes.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")),
        ],
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    post = session.exec(select(Post).where(Post.title == "Slides")).one()
    uploads = session.exec(select(Upload).order_by(Upload.id)).all()  # type: ignore[arg-type]
    assert [upload.attached_kind for upload in uploads] == [AttachedTo.post, AttachedTo.post]
    assert all(upload.attached_id == post.id for upload in uploads)
    assert f'<img src="/uploads/{uploads[0].token}/large"' in post.body_html
    assert f'href="/uploads/{uploads[0].token}/shot.png"' in post.body_html
    assert 'class="attachment-card"' in post.body_html
    assert 'title="PDF · 1 KB"' in post.body_html
    assert web.get(f"/uploads/{uploads[1].token}/minutes.pdf").status_code == 200


def test_a_refused_file_keeps_what_was_typed(session: Session, login: Any) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    web = login(host)
    response = web.post(
        f"/spaces/{space.slug}/posts",
        data={"csrf_token": web.refresh_csrf(), "title": "Mine", "body": "Typed text"},
        files=[("attachment", ("x.png", b"<html><script>1</script></html>", "image/png"))],
    )
    assert response.status_code == 422
    assert "HTML pages cannot be uploaded." in response.text
    assert "Typed text" in response.text
    assert session.exec(select(Post).where(Post.title == "Mine")).first() is None


def test_an_empty_file_field_changes_nothing(session: Session, login: Any) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    web = login(host)
    response = web.post(
        f"/spaces/{space.slug}/posts",
        data={"csrf_token": web.refresh_csrf(), "title": "Plain", "body": "Just text"},
        files=[("attachment", ("", b"", "application/octet-stream"))],
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert session.exec(select(Post.body).where(Post.title == "Plain")).one() == "Just text"


def test_pictures_from_elsewhere_are_not_shown(session: Session) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(
        session, author=host, space=space, body="![pixel](https://tracker.example/p.gif)"
    )
    assert "tracker.example" not in post.body_html


def test_twenty_pictures_cost_a_page_no_query(
    session: Session, login: Any, count_queries: Any
) -> None:
    host = make_user(session)
    space = make_space(session, host=host)
    plain = make_post(session, author=host, space=space, title="Plain", body="No pictures")
    pictures = []
    for number in range(20):
        upload = make_upload(session, user=host, name=f"shot-{number}.png")
        pictures.append(f"![shot {number}]({upload_url(upload)})")
    rich = make_post(session, author=host, space=space, title="Rich", body="\n\n".join(pictures))
    web = login(host)
    for path in (f"/posts/{plain.id}", f"/posts/{rich.id}", f"/spaces/{space.slug}"):
        web.get(path)  # warm the caches both pages share
    with count_queries() as without_pictures:
        web.get(f"/posts/{plain.id}")
    with count_queries() as with_pictures:
        page = web.get(f"/posts/{rich.id}")
    assert page.text.count('<img src="/uploads/') == 20
    assert page.text.count('/large"') == 20  # the size made for texts, never the original
    assert len(with_pictures) == len(without_pictures)


def test_twenty_pictures_cost_a_stream_no_query(
    session: Session, login: Any, count_queries: Any
) -> None:
    host = make_user(session)
    plain_space, rich_space = make_space(session, host=host), make_space(session, host=host)
    make_post(session, author=host, space=plain_space, title="Plain", body="No pictures")
    pictures = []
    for number in range(20):
        upload = make_upload(session, user=host, name=f"shot-{number}.png")
        pictures.append(f"![shot {number}]({upload_url(upload)})")
    make_post(session, author=host, space=rich_space, title="Rich", body="\n\n".join(pictures))
    web = login(host)
    for space in (plain_space, rich_space):
        web.get(f"/spaces/{space.slug}")  # warm the caches both pages share
    with count_queries() as without_pictures:
        web.get(f"/spaces/{plain_space.slug}")
    with count_queries() as with_pictures:
        page = web.get(f"/spaces/{rich_space.slug}")
    assert "/large" in page.text
    assert len(with_pictures) == len(without_pictures)
