"""Showcase entries: shown while their post is shown and its space readable by the viewer."""

from typing import Any

from sqlalchemy import ColumnElement
from sqlmodel import col

from app.access.posts import post_shown
from app.access.spaces import readable_space_ids_of
from app.core.db import not_indexed
from app.posts.models import Post
from app.showcase.models import ShowcaseEntry


def showcase_entries_shown_to(viewer_id: Any, now: Any) -> tuple[ColumnElement[bool], ...]:
    """WHERE clauses on ShowcaseEntry joined to its Post (both arguments may be bind parameters).

    Filtered on the entry's own space (the post's, recorded when it was featured), so the
    database walks the few entries, not every readable post. The post's side of that equality
    is kept off its index (and app.showcase joins the post by its id alone): otherwise SQLite
    carries the readable spaces over to the posts and walks every readable one."""
    return (
        col(ShowcaseEntry.space_id).in_(readable_space_ids_of(viewer_id)),
        not_indexed(Post.space_id) == ShowcaseEntry.space_id,
        *post_shown(Post, now),
    )
