"""What the stored parts of pages show: the navigation, a space's header, blank forms and the
home page's boxes. Like app.web.views, each view-model is its fragment's key and the only
thing its macro is given; the parts inside one are named tuples (compared and hashed in C)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from app.web.views import PersonView, View


class SpaceView(NamedTuple):
    """What the `audience` and `visibility_label` macros and a space's links show of it."""

    id: int
    slug: str
    name: str
    visibility: str
    member_count: int

    @classmethod
    def of(cls, space: Any, member_count: int) -> "SpaceView":
        return cls(space.id, space.slug, space.name, space.visibility, member_count)


@dataclass(frozen=True, slots=True)
class SpaceHead(View):
    """A space's header, which depends on what the reader may do there."""

    macro = "spaces/_stored.html:header"
    locale: str
    space: SpaceView
    description: str | None  # a space has no edit time: its short description is the key
    header_image_version: int | None
    join_policy: str
    archived: bool
    can_read: bool
    can_write: bool
    can_moderate: bool
    can_manage: bool
    is_member: bool
    pending: str | None
    on_events: bool

    @classmethod
    def of(
        cls, space: Any, member_count: int, access: Any, on_events: bool, locale: str
    ) -> "SpaceHead":
        return cls(
            locale, SpaceView.of(space, member_count), space.description,
            space.header_image_version, space.join_policy, space.archived_at is not None,
            access.can_read, access.can_write, access.can_moderate, access.can_manage,
            access.is_member, access.pending, on_events,
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Composer(View):
    """A blank composer: the audience line, the kinds this person may post, their time zone."""

    macro = "posts/_stored_forms.html:composer"
    locale: str
    space: SpaceView
    can_moderate: bool
    time_zone: str

    @classmethod
    def of(cls, space: Any, member_count: int, access: Any, user: Any, locale: str) -> "Composer":
        return cls(locale, SpaceView.of(space, member_count), access.can_moderate, user.time_zone)


@dataclass(frozen=True, slots=True)
class CommentForm(View):
    """A blank comment form under a post."""

    macro = "posts/_stored_forms.html:comment_form"
    locale: str
    post_id: int
    space: SpaceView
    can_write: bool
    is_member: bool

    @classmethod
    def of(
        cls, post_id: int, space: Any, member_count: int, access: Any, locale: str
    ) -> "CommentForm":
        space_view = SpaceView.of(space, member_count)
        return cls(locale, post_id, space_view, access.can_write, access.is_member)


@dataclass(frozen=True, slots=True)
class Nav(View):
    """The navigation links and the search box: alike for one language, role and section."""

    macro = "components/_nav.html:links"
    locale: str
    is_admin: bool
    section: str | None


@dataclass(frozen=True, slots=True)
class NavMe(View):
    """The reader's own menu: their face and name, and the sign-out form."""

    macro = "components/_nav.html:me"
    locale: str
    me: PersonView | None


@dataclass(frozen=True, slots=True)
class Footer(View):
    macro = "components/_nav.html:footer"
    locale: str
    site: str
    signed_in: bool


class Voice(NamedTuple):
    post_id: int
    title: str  # a title, short; the published post has no edit time of its own here
    published_at: datetime
    ago: str
    author: PersonView | None
    space_slug: str
    space_name: str


@dataclass(frozen=True, slots=True)
class Voices(View):
    """The leaders' voices box on the home page."""

    macro = "recognition/_stored.html:voices"
    locale: str
    zone: str
    items: tuple[Voice, ...]

    @classmethod
    def of(cls, voices: Any, zone: str, ago: Any, locale: str) -> "Voices":
        items = tuple(
            Voice(
                post.id,
                post.title,
                post.published_at,
                ago(post.published_at),
                PersonView.of(author),
                space.slug,
                space.name,
            )
            for post, author, space in voices
        )
        return cls(locale, zone, items)


@dataclass(frozen=True, slots=True)
class Spotlight(View):
    """The early adopter spotlight: the same for everyone in a language but the person shown."""

    macro = "recognition/_stored.html:spotlight"
    locale: str
    site: str
    person: PersonView
    space_name: str | None
    posts: int
    comments: int
    latest_id: int | None
    latest_title: str | None
    is_viewer: bool

    @classmethod
    def of(cls, spot: Any, viewer: Any, site: str, locale: str) -> "Spotlight":
        latest = spot.latest
        person = PersonView.of(spot.person)
        assert person is not None  # a spotlight always shows someone
        return cls(
            locale, site, person, spot.space.name if spot.space else None, spot.posts,
            spot.comments, latest.id if latest else None, latest.title if latest else None,
            viewer is not None and spot.person.id == viewer.id,
        )  # fmt: skip


class Step(NamedTuple):
    key: str
    done: bool
    url: str


class ShowcaseItem(NamedTuple):
    post_id: int
    title: str
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class HomeAside(View):
    """The home page's getting-started list (None once put away) and showcase box."""

    macro = "home/_stored.html:aside"
    locale: str
    steps: tuple[Step, ...] | None
    showcase: tuple[ShowcaseItem, ...]

    @classmethod
    def of(cls, checklist: Any, showcase: Any, locale: str) -> "HomeAside":
        steps = None
        if checklist and checklist.show_on_home:
            steps = tuple(Step(step.key, step.done, step.url) for step in checklist.steps)
        items = tuple(
            ShowcaseItem(c.post.id, c.post.title, tuple(c.tags[:3])) for c in showcase or ()
        )
        return cls(locale, steps, items)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps or ())


class Occasion(NamedTuple):
    event_id: int
    key: str
    title: str
    cancelled: bool
    starts_at: datetime
    space_name: str


@dataclass(frozen=True, slots=True)
class Upcoming(View):
    """Home's "coming up" box."""

    macro = "events/_stored.html:upcoming"
    locale: str
    zone: str
    items: tuple[Occasion, ...]

    @classmethod
    def of(cls, upcoming: Any, zone: str, locale: str) -> "Upcoming":
        items = tuple(
            Occasion(
                occ.event.id, occ.key, occ.event.title, occ.cancelled, occ.starts_at, space.name
            )
            for occ, space in upcoming or ()
        )
        return cls(locale, zone, items)
