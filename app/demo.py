"""Demo content for a first look, and bulk synthetic data for benchmarks."""

import random
from datetime import timedelta

from rich.progress import Progress
from sqlalchemy import Engine, func, insert
from sqlmodel import Session, col, select

from app.db import utcnow
from app.people.models import User
from app.people.service import create_user
from app.posts.markdown import render_markdown
from app.posts.models import Comment, Post
from app.posts.service import add_comment, create_post, react, set_pinned
from app.security import hash_password
from app.spaces.access import access_for
from app.spaces.models import Membership, Space
from app.spaces.service import add_member, create_space, join_space

DEMO_PASSWORD = "agora-demo-2026"  # noqa: S105 - published demo credential, printed on first start

PEOPLE = [
    ("anna.schmidt", "Anna Schmidt", "Head of Sales DACH", "Sales", True, "de"),
    ("ben.okafor", "Ben Okafor", "Software Engineer", "Engineering", False, "en"),
    ("clara.weber", "Clara Weber", "People & Culture Lead", "HR", True, "de"),
    ("david.nguyen", "David Nguyen", "Product Manager", "Product", False, "en"),
    ("eva.mueller", "Eva Müller", "Account Executive", "Sales", False, "de"),
    ("farid.haddad", "Farid Haddad", "Data Analyst", "Finance", False, "en"),
    ("greta.hansen", "Greta Hansen", "CEO", "Management", True, "de"),
    ("hannes.becker", "Hannes Becker", "Works Council Chair", "Operations", False, "de"),
    ("ines.costa", "Inês Costa", "UX Designer", "Product", False, "en"),
    ("jonas.wolf", "Jonas Wolf", "Working Student", "Engineering", False, "de"),
]

SPACES = [
    (
        "Welcome to Agora",
        "welcome",
        "Say hello, ask how things work, meet colleagues.",
        "public",
        "open",
        "clara.weber",
        ["*"],
    ),
    (
        "Engineering",
        "engineering",
        "Architecture, tools and the occasional war story.",
        "public",
        "open",
        "ben.okafor",
        ["david.nguyen", "ines.costa", "jonas.wolf", "farid.haddad"],
    ),
    (
        "Sales DACH",
        "sales-dach",
        "Deals, playbooks and customer stories for Germany, Austria and Switzerland.",
        "private",
        "request",
        "anna.schmidt",
        ["eva.mueller", "greta.hansen"],
    ),
    (
        "Running Club",
        "running-club",
        "Lunch runs along the river and the company relay team.",
        "public",
        "open",
        "jonas.wolf",
        ["ben.okafor", "clara.weber", "eva.mueller"],
    ),
    (
        "Works Council",
        "works-council",
        "Questions to the works council; answered within a week.",
        "private",
        "request",
        "hannes.becker",
        ["clara.weber"],
    ),
    (
        "Leadership Circle",
        "leadership-circle",
        "Where the leadership team prepares all-hands.",
        "secret",
        "invite",
        "greta.hansen",
        ["anna.schmidt", "clara.weber"],
    ),
]

POSTS = [
    (
        "welcome",
        "clara.weber",
        "announcement",
        "Welcome to Agora 👋",
        "This is **our** place to share, ask and celebrate.\n\n- Join the spaces you care about\n"
        "- Every composer shows *who will see* your post before you send it\n"
        "- Say hello below, @ben.okafor and @anna.schmidt are already here!",
    ),
    (
        "welcome",
        "greta.hansen",
        "discussion",
        "What should Agora do for you?",
        "I'd love to hear which meetings, documents or chats you want to **replace** with this. "
        "Be honest, I read every comment.",
    ),
    (
        "engineering",
        "ben.okafor",
        "question",
        "Which linter setup do you use for Python?",
        "We are standardising on `ruff`. Anything you would miss from flake8 plugins?",
    ),
    (
        "engineering",
        "ines.costa",
        "discussion",
        "Design system: first components ready",
        "Buttons, forms and cards are in the library. Feedback welcome, @david.nguyen!",
    ),
    (
        "sales-dach",
        "anna.schmidt",
        "discussion",
        "Q4 pipeline review",
        "Numbers are in our shared sheet. Let's go through the top 10 deals on Thursday.",
    ),
    (
        "running-club",
        "jonas.wolf",
        "discussion",
        "Lunch run on Wednesday 🏃",
        "5 km along the river, easy pace. Meet at the main entrance at 12:15.",
    ),
    (
        "works-council",
        "hannes.becker",
        "announcement",
        "Office hours every Tuesday",
        "Drop by room 2.14 or write here. Everything you post stays within this space.",
    ),
    (
        "leadership-circle",
        "greta.hansen",
        "discussion",
        "All-hands agenda draft",
        "1. Results\n2. Agora launch\n3. Questions from the floor",
    ),
]

COMMENTS = [
    ("welcome", 0, "ben.okafor", "Hello everyone! Happy to finally have one place for this."),
    ("welcome", 0, "eva.mueller", "Hallo zusammen! 🙌"),
    ("welcome", 1, "david.nguyen", "Meeting minutes, please. Nobody finds them in the wiki."),
    ("welcome", 1, "hannes.becker", "Good to see that nobody's activity is tracked individually."),
    ("engineering", 2, "jonas.wolf", "I only miss the docstring checks, but ruff has those too."),
    ("sales-dach", 4, "eva.mueller", "I'll bring the Vienna update."),
    ("running-club", 5, "clara.weber", "Count me in!"),
]


def _ensure_demo_people(session: Session) -> dict[str, User]:
    people: dict[str, User] = {}
    for handle, name, title, department, leader, locale in PEOPLE:
        email = f"{handle}@agora.local"
        user = session.exec(select(User).where(User.email == email)).first()
        if user is None:
            user = create_user(
                session,
                email=email,
                display_name=name,
                password=DEMO_PASSWORD,
                title=title,
                department=department,
                locale=locale,
            )
            user.is_leader = leader
            user.leader_title = title if leader else ""
            session.add(user)
        people[handle] = user
    session.flush()
    return people


def seed_community(session: Session) -> bool:
    """Seed a small, living community once; returns False if it is already there."""
    if session.exec(select(Space.id).where(Space.slug == "welcome")).first() is not None:
        return False
    people = _ensure_demo_people(session)
    spaces: dict[str, Space] = {}
    for name, slug, description, visibility, policy, host, members in SPACES:
        space = create_space(
            session,
            creator=people[host],
            name=name,
            slug=slug,
            description=description,
            visibility=visibility,
            join_policy=policy,
        )
        spaces[slug] = space
        host_access = access_for(session, people[host], space)
        for handle in people if members == ["*"] else members:
            if handle != host:
                add_member(session, access=host_access, user=people[handle])
        admins = session.exec(select(User).where(User.site_role == "admin")).all()
        if visibility == "public":
            for admin in admins:
                join_space(session, access=access_for(session, admin, space))
    created: list[Post] = []
    for slug, author, kind, title, body in POSTS:
        access = access_for(session, people[author], spaces[slug])
        created.append(create_post(session, access=access, title=title, body=body, kind=kind))
    set_pinned(session, user=people["clara.weber"], post_id=created[0].id, pinned=True)  # type: ignore[arg-type]
    for _slug, index, author, body in COMMENTS:
        add_comment(session, user=people[author], post_id=created[index].id, body=body)  # type: ignore[arg-type]
    for handle in ("ben.okafor", "eva.mueller", "david.nguyen", "greta.hansen"):
        react(session, user=people[handle], post_id=created[0].id, kind="like")  # type: ignore[arg-type]
    react(session, user=people["clara.weber"], post_id=created[1].id, kind="thanks")  # type: ignore[arg-type]
    session.flush()
    return True


def _comment_counts(posts: int, comments: int, rng: random.Random) -> list[int]:
    """About `comments` in all: most posts get a handful, a few get hundreds."""
    if posts == 0:
        return []
    counts = [0] * posts
    heavy = max(1, posts // 500)
    for index in rng.sample(range(posts), heavy):
        counts[index] = min(400, comments // heavy)
    remaining = comments - sum(counts)
    for _ in range(max(0, remaining)):
        counts[rng.randrange(posts)] += 1
    return counts


def bulk_seed(
    engine: Engine,
    *,
    users: int,
    spaces: int,
    posts: int,
    comments: int,
    seed: int = 7,
    batch: int = 5000,
) -> None:
    """Insert synthetic rows in large batches (bypassing services on purpose: speed)."""
    rng = random.Random(seed)
    now = utcnow()
    body = (
        "Synthetic post for load tests. **Markdown** with a [link](https://example.com) "
        "and a list:\n\n- one\n- two\n"
    )
    body_html = render_markdown(body)
    comment_body = "Thanks, that helps! Let's discuss it on Thursday."
    comment_html = render_markdown(comment_body)
    password = hash_password(DEMO_PASSWORD)
    with engine.begin() as conn:
        user_start = (conn.execute(select(func.max(col(User.id)))).scalar() or 0) + 1
        space_start = (conn.execute(select(func.max(col(Space.id)))).scalar() or 0) + 1
    with Progress() as progress, engine.begin() as conn:
        task = progress.add_task("people", total=users)
        for start in range(0, users, batch):
            rows = [
                {
                    "email": f"bench{user_start + i}@agora.local",
                    "handle": f"bench{user_start + i}",
                    "display_name": f"Bench Person {user_start + i}",
                    "title": "",
                    "department": "",
                    "password_hash": password,
                    "site_role": "member",
                    "is_leader": i % 50 == 0,
                    "leader_title": "",
                    "locale": "en",
                    "time_zone": "Europe/Berlin",
                    "is_active": True,
                    "created_at": now,
                }
                for i in range(start, min(users, start + batch))
            ]
            conn.execute(insert(User), rows)
            progress.advance(task, len(rows))
        user_ids = [row[0] for row in conn.execute(select(User.id))]
        task = progress.add_task("spaces", total=spaces)
        for i in range(spaces):
            conn.execute(
                insert(Space),
                [
                    {
                        "slug": f"bench-space-{space_start + i}",
                        "name": f"Bench space {space_start + i}",
                        "description": "Synthetic space",
                        "visibility": ("public", "private", "secret")[i % 3],
                        "join_policy": "open" if i % 3 == 0 else "invite",
                        "created_at": now,
                    }
                ],
            )
            progress.advance(task)
        space_ids = [
            row[0]
            for row in conn.execute(
                select(col(Space.id)).where(col(Space.slug).like("bench-space-%"))
            )
        ]
        task = progress.add_task("memberships", total=len(space_ids))
        for space_id in space_ids:
            members = rng.sample(user_ids, min(len(user_ids), 30))
            existing = {
                row[0]
                for row in conn.execute(
                    select(col(Membership.user_id)).where(Membership.space_id == space_id)
                )
            }
            rows = [
                {
                    "space_id": space_id,
                    "user_id": uid,
                    "role": "host" if n == 0 else "member",
                    "state": "active",
                    "created_at": now,
                    "joined_at": now,
                }
                for n, uid in enumerate(members)
                if uid not in existing
            ]
            if rows:
                conn.execute(insert(Membership), rows)
            progress.advance(task)
        if not space_ids or not user_ids:
            return
        counts = _comment_counts(posts, comments, rng)
        task = progress.add_task("posts", total=posts)
        post_ids: list[int | None] = []
        for start in range(0, posts, batch):
            rows = []
            for i in range(start, min(posts, start + batch)):
                at = now - timedelta(minutes=(posts - i) * 3)
                rows.append(
                    {
                        "space_id": space_ids[i % len(space_ids)],
                        "author_id": user_ids[i % len(user_ids)],
                        "kind": "discussion",
                        "title": f"Synthetic post {i}",
                        "body": body,
                        "body_html": body_html,
                        "created_at": at,
                        "published_at": at,
                        "comment_count": counts[i],
                    }
                )
            post_ids.extend(
                conn.execute(
                    insert(Post).returning(col(Post.id), sort_by_parameter_order=True), rows
                ).scalars()
            )
            progress.advance(task, len(rows))
        task = progress.add_task("comments", total=sum(counts))
        pending: list[dict[str, object]] = []
        for i, n in enumerate(counts):
            post_at = now - timedelta(minutes=(posts - i) * 3)
            for k in range(n):
                pending.append(
                    {
                        "post_id": post_ids[i],
                        "author_id": user_ids[(i + k) % len(user_ids)],
                        "body": comment_body,
                        "body_html": comment_html,
                        "created_at": post_at + timedelta(seconds=k + 1),
                    }
                )
                if len(pending) >= batch:
                    conn.execute(insert(Comment), pending)
                    progress.advance(task, len(pending))
                    pending = []
        if pending:
            conn.execute(insert(Comment), pending)
            progress.advance(task, len(pending))
