"""What a stored fragment of a stream shows: post cards, reaction bars, comments, kudos lines.

Each view-model is the fragment's key and the only thing its macro is given (app.web.templates
`stored`), so a template cannot show what the key does not cover: a field it asks for that the
view lacks is an error, not an empty string (`_Undefined`). Texts a person writes are carried but
left out of equality and hash: their row's edit time stands for them, and the store counts the
size of its values only, so keys holding bodies would grow it uncounted.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar


class View:
    """A frozen view-model rendered by one macro, named `template:macro`."""

    __slots__ = ()
    macro: ClassVar[str]


@dataclass(frozen=True, slots=True)
class MarkView:
    level: str
    icon: str
    name: str
    is_builtin: bool


@dataclass(frozen=True, slots=True)
class PersonView(View):
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
        shown = tuple(MarkView(m.level, m.icon, m.name, m.is_builtin) for m in marks or ())
        return cls(
            user.id, user.display_name, user.is_leader, user.leader_title,
            user.avatar_version, user.is_active, shown,
        )  # fmt: skip


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
    def of(cls, card: Any, zone: str, ago: str, locale: str) -> "CardHead":
        post, space = card.post, card.space
        return cls(
            locale, zone, ago, post.id, post.kind, post.pinned_at is not None,
            post.published_at, post.edited_at, space.slug, space.name,
            PersonView.of(card.author, card.author_marks), post.title, post.body_html,
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
    """A post card's foot: its reaction form and the comment count."""

    macro = "posts/_card.html:foot"
    reactions: Reactions
    comment_count: int


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
