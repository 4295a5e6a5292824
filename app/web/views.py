"""What a stored fragment of a stream shows: post cards, reaction bars, comments, kudos lines.

Each view-model is the fragment's key and the only thing its macro is given (app.web.templates
`stored`), so a template cannot show what the key does not cover: a field it asks for that the
view lacks is an error, not an empty string (`_Undefined`). Texts a person writes are carried but
left out of equality and hash (and of the stored key, `key_of`): their row's edit time stands
for them, and the store counts the size of its values only, so keys holding bodies would grow it
uncounted.

The parts inside a view-model (a person, a badge, a list item) are named tuples: they compare
and hash in C, where a dataclass's generated __eq__ and __hash__ are Python calls made for every
card and comment of a page on every request.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, ClassVar, NamedTuple


class View:
    """A frozen view-model rendered by one macro, named `template:macro`."""

    __slots__ = ()
    macro: ClassVar[str]


def key_fields(cls: type[View]) -> Callable[[Any], tuple[Any, ...]]:
    """The fields a view-model's key holds: all it shows but the texts its edit times stand for
    (read in C, one tuple, where the dataclass's own __hash__ and __eq__ are Python calls)."""
    return attrgetter(*(each.name for each in fields(cls) if each.compare))  # type: ignore[arg-type]


_key_fields: dict[type, Callable[[Any], tuple[Any, ...]]] = {}


def is_view(obj: object) -> bool:
    """A view-model or a part of one (a named tuple of this module or app.web.page_views)."""
    return isinstance(obj, View) or type(obj).__module__ in ("app.web.views", "app.web.page_views")


def key_of(view: View) -> tuple[Any, ...]:
    """The key a view-model's fragment is stored under: its kind and the fields it compares."""
    cls = view.__class__
    get = _key_fields.get(cls) or _key_fields.setdefault(cls, key_fields(cls))
    return (cls, get(view))


class MarkView(NamedTuple):
    level: str
    icon: str
    name: str
    is_builtin: bool


class PersonView(NamedTuple):
    """What the `person` and `face_of` macros show of someone."""

    id: int
    display_name: str
    is_leader: bool
    leader_title: str | None
    avatar_version: int | None
    is_active: bool
    marks: tuple[MarkView, ...] = ()

    @classmethod
    def of(cls, user: Any, marks: Any = ()) -> "PersonView | None":
        if user is None:
            return None
        # tuple.__new__ builds the named tuple in C, where calling the class is a Python call.
        make = tuple.__new__
        shown = tuple(make(MarkView, (m.level, m.icon, m.name, m.is_builtin)) for m in marks or ())
        return make(cls, (
            user.id, user.display_name, user.is_leader, user.leader_title,
            user.avatar_version, user.is_active, shown,
        ))  # fmt: skip


@dataclass(frozen=True, slots=True)
class CardHead(View):
    """A post card's head: all of it that every reader sees alike."""

    macro = "posts/_card.html:head"
    locale: str
    zone: str
    ago: str
    id: int
    kind: str
    pinned: bool
    published_at: datetime
    edited_at: datetime | None  # every change of title or text sets it: it stands for both
    space_slug: str
    space_name: str
    author: PersonView | None
    title: str = field(compare=False, repr=False)
    body_html: str = field(compare=False, repr=False)

    @classmethod
    def of(
        cls, card: Any, zone: str, ago: str, locale: str, author: PersonView | None
    ) -> "CardHead":
        post, space = card.post, card.space
        return cls(
            locale, zone, ago, post.id, post.kind, post.pinned_at is not None,
            post.published_at, post.edited_at, space.slug, space.name, author,
            post.title, post.body_html,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Reactions(View):
    """A post's reaction form: the counts and which of them are the reader's own."""

    macro = "posts/_card.html:reactions"
    locale: str
    post_id: int
    counts: tuple[tuple[str, int], ...]
    mine: tuple[str, ...]

    @classmethod
    def of(cls, card: Any, locale: str) -> "Reactions":
        counts = tuple(sorted(card.reactions.items()))
        return cls(locale, card.post.id, counts, tuple(sorted(card.my_reactions)))


@dataclass(frozen=True, slots=True)
class CardFoot(View):
    """A post card's foot: its reaction form (the same fields as Reactions) and the comment
    count."""

    macro = "posts/_card.html:foot"
    locale: str
    post_id: int
    counts: tuple[tuple[str, int], ...]
    mine: tuple[str, ...]
    comment_count: int

    @classmethod
    def of(cls, card: Any, locale: str) -> "CardFoot":
        post = card.post
        counts = tuple(sorted(card.reactions.items()))
        return cls(locale, post.id, counts, tuple(sorted(card.my_reactions)), post.comment_count)


@dataclass(frozen=True, slots=True)
class CommentView(View):
    """One comment as a reader sees it: the same for every reader but its author, and the
    signed-out, who get no tools."""

    macro = "posts/_comment.html:comment"
    locale: str
    zone: str
    ago: str
    id: int
    post_id: int
    parent_id: int | None
    created_at: datetime
    edited_at: datetime | None  # every change of the text sets it: it stands for the text
    hidden: bool
    author: PersonView | None
    mine: bool
    signed_in: bool
    body_html: str = field(compare=False, repr=False)

    @classmethod
    def of(
        cls, comment: Any, author: PersonView | None, zone: str, ago: str, locale: str,
        mine: bool, signed_in: bool,
    ) -> "CommentView":  # fmt: skip
        return cls(
            locale, zone, ago, comment.id, comment.post_id, comment.parent_id,
            comment.created_at, comment.edited_at, comment.hidden_at is not None, author,
            mine, signed_in, comment.body_html,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ThanksView(View):
    """A kudos line in a stream."""

    macro = "recognition/_stream_thanks.html:thanks"
    locale: str
    zone: str
    ago: str
    id: int
    created_at: datetime
    # Kudos have no edit time, and removing a person rewrites the message: it stays in the key
    # (at most 500 characters).
    message: str
    giver: PersonView | None
    receiver: PersonView | None
    target_title: str | None
    target_url: str | None

    @classmethod
    def of(cls, entry: Any, zone: str, ago: str, locale: str) -> "ThanksView":
        kudos = entry.kudos
        return cls(
            locale, zone, ago, kudos.id, kudos.created_at, kudos.message,
            PersonView.of(entry.giver), PersonView.of(entry.receiver),
            entry.target_title, entry.target_url,
        )  # fmt: skip
