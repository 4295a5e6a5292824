"""The clients of `make bench-writes` (see writes.py): their data, their write mix, and the
check afterwards that every write they were told about is there."""

import http.client
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.core.db import make_engine, utcnow
from app.events.schemas import EventInput
from app.events.service import create_event
from app.people.service import create_api_token, create_user
from app.posts.models import Post
from app.posts.service import create_post
from app.protocols.service import create_protocol
from app.recognition.models import Kudos
from app.recognition.service import update_site_settings
from app.spaces.access import access_for
from app.spaces.service import add_member, create_space

HOST = "127.0.0.1"
OTHER_POSTS = 30
CLIENTS_PER_PROTOCOL = 8
EXPECTED_REFUSALS = frozenset({409, 429})  # a conflicting protocol save, a spent kudos budget
PROTOCOL_TEXT = "\n".join(f"- agenda point {n}" for n in range(1, 21)) + "\n"


@dataclass(frozen=True)
class Fixture:
    database_url: str
    slug: str
    host_token: str
    hot_post: int
    other_posts: list[int]
    event_id: int
    capacity: int
    protocols: list[int]
    people: list[tuple[int, str]]  # (user id, API token) of each client

    @property
    def posts(self) -> list[int]:
        return [self.hot_post, *self.other_posts]


def seed(database_url: str, clients: int) -> Fixture:
    """A space of its own for this run, made through the services (as tests/factories.py does;
    importing it would set up the test suite's database too)."""
    tag = time.time_ns()
    engine = make_engine(database_url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            host = create_user(
                s, email=f"host-{tag}@bench.local", display_name="Bench host", admin=True
            )
            people = [
                create_user(s, email=f"writer{n}-{tag}@bench.local", display_name=f"Writer {n}")
                for n in range(clients)
            ]
            space = create_space(s, creator=host, name=f"Writes {tag}")
            access = access_for(s, host, space)
            for person in people:
                add_member(s, access=access, user=person)
            posts = [
                create_post(s, access=access, title=f"Bench post {n}", body="Some text")
                for n in range(1 + OTHER_POSTS)
            ]
            settings = {"early_adopter_count": 10, "kudos_monthly_budget": 1000}
            update_site_settings(s, actor=host, thank_you_wall=False, **settings)
            starts = utcnow() + timedelta(days=7)
            capacity = max(1, clients // 2)
            event = create_event(
                s,
                access=access,
                data=EventInput(
                    title="Bench meetup",
                    starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
                    ends_at=(starts + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
                    timezone="UTC",
                    capacity=capacity,
                ),
            )
            protocols = [
                create_protocol(s, access=access, title=f"Minutes {n}", text=PROTOCOL_TEXT)
                for n in range(-(-clients // CLIENTS_PER_PROTOCOL))
            ]
            tokens = [create_api_token(s, user=p, name="bench-writes") for p in [host, *people]]
            s.commit()
            return Fixture(
                database_url=database_url,
                slug=space.slug,
                host_token=tokens[0],
                hot_post=int(posts[0].id),  # type: ignore[arg-type]
                other_posts=[int(p.id) for p in posts[1:]],  # type: ignore[arg-type]
                event_id=int(event.id),  # type: ignore[arg-type]
                capacity=capacity,
                protocols=[int(p.id) for p in protocols],  # type: ignore[arg-type]
                people=[(int(p.id), t) for p, t in zip(people, tokens[1:], strict=True)],  # type: ignore[arg-type]
            )
    finally:
        engine.dispose()


class Connection:
    """One keep-alive HTTP connection to one server, as one person (a bearer token)."""

    def __init__(self, port: int, token: str) -> None:
        self.http = http.client.HTTPConnection(HOST, port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def send(self, method: str, path: str, body: Any = None) -> tuple[int | str, Any]:
        """(status, decoded JSON); or (the error's name, None) for a connection error."""
        try:
            payload = json.dumps(body) if body is not None else None
            self.http.request(method, "/api/v1" + path, payload, self.headers)
            response = self.http.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.http.close()  # the next request connects again
            return type(error).__name__, None
        try:
            return response.status, json.loads(raw) if raw else None
        except ValueError:
            return response.status, raw[:200].decode(errors="replace")

    def close(self) -> None:
        self.http.close()

    def read_all(self, path: str) -> list[Any]:
        """Every item of a paginated list (items + next_cursor)."""
        items: list[Any] = []
        cursor = None
        while True:
            joiner = "&" if "?" in path else "?"
            page = path + (f"{joiner}cursor={cursor}" if cursor else "")
            status, data = self.send("GET", page)
            if status != 200:
                raise RuntimeError(f"GET {page} answered {status}: {data!r:.200}")
            items += data["items"]
            cursor = data.get("next_cursor")
            if not cursor:
                return items


@dataclass(frozen=True)
class Window:
    start: float  # time.monotonic(): writes begun before it are the warm-up
    stop: float  # no write begins after it


@dataclass
class Write:
    method: str
    path: str
    body: Any
    acknowledged: Callable[[Any], None]  # called with the answer of a 2xx
    refused: Callable[[Any], None] = lambda _answer: None  # ... of an expected 409 / 429


@dataclass
class Client:
    """One person writing; remembers every write acknowledged to it, for the check."""

    number: int
    fixture: Fixture
    ports: list[int]
    writes: int = 0
    refused: int = 0
    errors: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict)  # by kind of write
    error_samples: list[str] = field(default_factory=list)
    # What the server acknowledged:
    comments: dict[int, dict[int, str]] = field(default_factory=dict)  # post -> {id: body}
    posts: dict[int, str] = field(default_factory=dict)  # id -> title
    liked: dict[int, bool] = field(default_factory=dict)
    rsvp: str | None = None
    kudos: Counter[int] = field(default_factory=Counter)  # receiver -> count
    protocol_lines: list[str] = field(default_factory=list)
    # The protocol text this client last saw, and its version (None: read it first).
    protocol_seen: tuple[int, str] | None = None

    def __post_init__(self) -> None:
        self.user_id, token = self.fixture.people[self.number]
        self.connections = [Connection(port, token) for port in self.ports]
        self.rng = random.Random(self.number)
        self.sent = 0
        self.protocol = self.fixture.protocols[self.number // CLIENTS_PER_PROTOCOL]
        self.mix: list[tuple[Callable[[], Write], int]] = [
            (self.comment_on_hot_post, 40),
            (self.comment_on_other_post, 15),
            (self.toggle_like, 20),
            (self.toggle_rsvp, 12),
            (self.write_post, 5),
            (self.give_kudos, 4),
            (self.save_protocol, 4),
        ]

    def send(self, method: str, path: str, body: Any = None) -> tuple[int | str, Any]:
        """Round robin over the servers, as a load balancer would."""
        self.sent += 1
        return self.connections[self.sent % len(self.connections)].send(method, path, body)

    def run(self, window: Window) -> None:
        try:
            self._write_until(window.stop, window.start)
        finally:
            for connection in self.connections:
                connection.close()

    def _write_until(self, stop: float, measure_from: float) -> None:
        makers, weights = zip(*self.mix, strict=True)
        while True:
            maker = self.rng.choices(makers, weights)[0]
            write = maker()
            started = time.monotonic()
            if started >= stop:
                return
            status, answer = self.send(write.method, write.path, write.body)
            elapsed_ms = 1000 * (time.monotonic() - started)
            measured = started >= measure_from
            if isinstance(status, int) and 200 <= status < 300:
                write.acknowledged(answer)
                self.writes += measured
            elif status in EXPECTED_REFUSALS:
                write.refused(answer)
                self.refused += measured
            else:
                self.error(f"{write.method} {write.path} -> {status} {answer!r:.200}")
                continue
            if measured:
                self.latencies_ms.setdefault(maker.__name__, []).append(elapsed_ms)

    def error(self, what: str) -> None:
        self.errors += 1  # warm-up included: an error is an error
        if len(self.error_samples) < 3:
            self.error_samples.append(what)

    # --- the mix ------------------------------------------------------------------------------

    def _comment(self, post_id: int) -> Write:
        body = f"Writer {self.number}, comment {self.sent}: count me in."

        def acknowledged(answer: Any) -> None:
            self.comments.setdefault(post_id, {})[answer["id"]] = body

        return Write("POST", f"/posts/{post_id}/comments", {"body": body}, acknowledged)

    def comment_on_hot_post(self) -> Write:
        return self._comment(self.fixture.hot_post)

    def comment_on_other_post(self) -> Write:
        return self._comment(self.rng.choice(self.fixture.other_posts))

    def toggle_like(self) -> Write:
        post_id = self.rng.choice(self.fixture.posts)
        liking = not self.liked.get(post_id, False)

        def acknowledged(_answer: Any) -> None:
            self.liked[post_id] = liking

        if liking:
            return Write("POST", f"/posts/{post_id}/reactions", {"kind": "like"}, acknowledged)
        return Write("DELETE", f"/posts/{post_id}/reactions/like", None, acknowledged)

    def toggle_rsvp(self) -> Write:
        answer = "declined" if self.rsvp == "going" else "going"

        def acknowledged(_answer: Any) -> None:
            self.rsvp = answer

        path = f"/events/{self.fixture.event_id}/rsvp"
        return Write("POST", path, {"status": answer}, acknowledged)

    def write_post(self) -> Write:
        title = f"Writer {self.number}, post {self.sent}"

        def acknowledged(answer: Any) -> None:
            self.posts[answer["id"]] = title

        body = {"title": title, "body": "Notes from today's **stand-up**.", "kind": "discussion"}
        return Write("POST", f"/spaces/{self.fixture.slug}/posts", body, acknowledged)

    def give_kudos(self) -> Write:
        others = [user_id for user_id, _token in self.fixture.people if user_id != self.user_id]
        receiver = self.rng.choice(others)

        def acknowledged(_answer: Any) -> None:
            self.kudos[receiver] += 1

        body = {"to_user_id": receiver, "message": "Thanks!", "post_id": self.fixture.hot_post}
        return Write("POST", "/kudos", body, acknowledged)

    def save_protocol(self) -> Write:
        if self.protocol_seen is None:  # a read, like reloading the page: not a measured write
            status, answer = self.send("GET", f"/protocols/{self.protocol}")
            if status != 200:
                self.error(f"GET /protocols/{self.protocol} -> {status} {answer!r:.200}")
                return self.comment_on_hot_post()
            self.protocol_seen = (answer["version"], answer["text"])
        version, text = self.protocol_seen
        line = f"- writer {self.number} note {self.sent}"
        lines = text.splitlines()
        lines.insert(self.rng.randrange(len(lines) + 1), line)

        def acknowledged(answer: Any) -> None:
            self.protocol_lines.append(line)
            self.protocol_seen = (answer["version"], answer["text"])

        def refused(_answer: Any) -> None:
            self.protocol_seen = None

        body = {"text": "\n".join(lines) + "\n", "base_version": version}
        return Write("PUT", f"/protocols/{self.protocol}", body, acknowledged, refused)


# --- the check ----------------------------------------------------------------------------------


def verify(fixture: Fixture, clients: list[Client], port: int) -> list[str]:
    """What was acknowledged is there, read back through the API; the counts add up."""
    reader = Connection(port, fixture.host_token)
    try:
        return _verify(fixture, clients, reader)
    finally:
        reader.close()


def _verify(fixture: Fixture, clients: list[Client], reader: Connection) -> list[str]:
    problems: list[str] = []

    def expect(ok: bool, what: str) -> None:
        if not ok:
            problems.append(what)

    comments: dict[int, dict[int, str]] = {post_id: {} for post_id in fixture.posts}
    for client in clients:
        for post_id, acknowledged in client.comments.items():
            comments[post_id].update(acknowledged)
    counted = _comment_counts(fixture)
    for post_id, mine in comments.items():
        listed = reader.read_all(f"/posts/{post_id}/comments?limit=100")
        bodies = {comment["id"]: comment["body"] for comment in listed}
        lost = [i for i, body in mine.items() if bodies.get(i) != body]
        expect(not lost, f"post {post_id}: acknowledged comments missing: {lost[:3]}")
        expect(
            len(listed) == counted[post_id] == len(mine),
            f"post {post_id}: {len(listed)} comments listed, comment_count {counted[post_id]}, "
            f"{len(mine)} acknowledged",
        )

    for client in clients:
        for post_id, title in client.posts.items():
            status, answer = reader.send("GET", f"/posts/{post_id}")
            expect(status == 200 and answer["title"] == title, f"new post {post_id}: {status}")

    for post_id in fixture.posts:
        status, answer = reader.send("GET", f"/posts/{post_id}")
        likes = answer["reactions"].get("like", 0) if status == 200 else status
        liked = sum(client.liked.get(post_id, False) for client in clients)
        expect(likes == liked, f"post {post_id}: {likes} likes, {liked} acknowledged")

    listed = reader.read_all(f"/events/{fixture.event_id}/attendees?limit=200")
    going = {a["user_id"] for a in listed if a["status"] == "going"}
    waiting = {a["user_id"] for a in listed if a["status"] == "waitlisted"}
    wanting = {client.user_id for client in clients if client.rsvp == "going"}
    expect(going | waiting == wanting, f"{len(going | waiting)} attend, {len(wanting)} said going")
    expect(
        len(going) == min(fixture.capacity, len(wanting)),
        f"{len(going)} going, {len(waiting)} waiting, room for {fixture.capacity}",
    )

    given = sum((client.kudos for client in clients), Counter[int]())
    stored = _kudos_by_receiver(fixture)
    expect(stored == given, f"kudos: {stored.total()} stored, {given.total()} acknowledged")

    for protocol_id in fixture.protocols:
        status, answer = reader.send("GET", f"/protocols/{protocol_id}")
        text = answer["text"].splitlines() if status == 200 else []
        lines = [line for c in clients if c.protocol == protocol_id for line in c.protocol_lines]
        missing = [line for line in lines if line not in text]
        expect(not missing, f"protocol {protocol_id}: acknowledged lines missing: {missing[:3]}")
    return problems


def _comment_counts(fixture: Fixture) -> dict[int, int]:
    """Each post's stored comment_count (the counter the stream pages show)."""
    engine = make_engine(fixture.database_url)
    try:
        with Session(engine) as s:
            rows = s.exec(
                select(Post.id, Post.comment_count).where(col(Post.id).in_(fixture.posts))
            ).all()
            return {int(post_id): count for post_id, count in rows}  # type: ignore[arg-type]
    finally:
        engine.dispose()


def _kudos_by_receiver(fixture: Fixture) -> Counter[int]:
    """Kudos stored from the clients, by receiver."""
    givers = [user_id for user_id, _token in fixture.people]
    engine = make_engine(fixture.database_url)
    try:
        with Session(engine) as s:
            rows = s.exec(
                select(Kudos.receiver_id, func.count())
                .where(col(Kudos.giver_id).in_(givers))
                .group_by(col(Kudos.receiver_id))
            ).all()
            return Counter({receiver: count for receiver, count in rows})
    finally:
        engine.dispose()
