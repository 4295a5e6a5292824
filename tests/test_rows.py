"""Read-only row views (app.core.rows): what lists read instead of entities."""

from dataclasses import fields

import pytest
from sqlalchemy import literal
from sqlmodel import col, select

from app.core.rows import fetch
from app.people.models import PersonRow, User
from app.posts.models import Comment, CommentRow, Post, PostRow
from app.spaces.models import Space, SpaceRow
from app.web.templates import env
from tests.factories import make_comment, make_post, make_space, make_user


def _posts_with_authors():
    return (
        select(*PostRow.columns(), *PersonRow.columns(), literal(7).label("extra"))
        .outerjoin(User, col(User.id) == Post.author_id)
        .order_by(col(Post.id))
    )


def test_each_row_is_cut_into_its_views_then_the_extra_columns(session):
    author = make_user(session, name="Ada Author")
    space = make_space(session, host=author)
    kept = make_post(session, author=author, space=space, title="Kept")
    orphan = make_post(session, author=author, space=space, title="Orphan")
    orphan.author_id = None
    session.commit()

    statement = _posts_with_authors().where(col(Post.id).in_([kept.id, orphan.id]))
    rows = fetch(session, statement, {}, (PostRow, PersonRow))

    assert [(p.title, a.display_name if a else None, extra) for p, a, extra in rows] == [
        ("Kept", "Ada Author", 7),
        ("Orphan", None, 7),
    ]
    assert isinstance(rows[0][0], PostRow) and isinstance(rows[0][1], PersonRow)


def test_a_view_read_from_the_table_equals_one_copied_from_the_entity(session):
    author = make_user(session, title="Engineer")
    space = make_space(session, host=author, visibility="private")
    post = make_post(session, author=author, space=space, body="**Bold**")
    comment = make_comment(session, author=author, post=post)

    cases = [
        (PostRow, Post, post),
        (CommentRow, Comment, comment),
        (PersonRow, User, author),
        (SpaceRow, Space, space),
    ]
    for view, model, entity in cases:
        statement = select(*view.columns()).where(col(model.id) == entity.id)  # type: ignore[attr-defined]
        (read,) = fetch(session, statement, {}, (view,))
        assert read == (view.of(entity),)


def test_changes_not_yet_flushed_are_read(session):
    author = make_user(session)
    space = make_space(session, host=author)
    post = make_post(session, author=author, space=space, title="Before")
    post.title = "After"  # pending in the session, not yet written

    statement = select(*PostRow.columns()).where(col(Post.id) == post.id)
    ((read,),) = fetch(session, statement, {}, (PostRow,))

    assert read.title == "After"


def test_a_person_as_lists_show_them_carries_no_address_or_password():
    assert {f.name for f in fields(PersonRow)}.isdisjoint({"email", "password_hash"})


def test_a_template_asking_a_view_for_a_field_it_lacks_fails_loudly():
    person = PersonRow(1, "ada", "Ada", "", "", False, "", True, None)
    assert env.from_string("{{ p.display_name }}|{{ nothing }}").render(p=person) == "Ada|"
    with pytest.raises(AttributeError, match="PersonRow has no field 'email'"):
        env.from_string("{{ p.email }}").render(p=person)
