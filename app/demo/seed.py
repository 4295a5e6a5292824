"""Demo content for a first look (bulk synthetic data for benchmarks is in demo_bulk)."""

from datetime import timedelta

from sqlalchemy import select
from sqlmodel import Session, col

from app.core.db import utcnow
from app.people.models import User
from app.people.service import create_user
from app.posts.models import Post
from app.posts.service import add_comment, create_post, react, set_pinned
from app.spaces.access import access_for
from app.spaces.models import Space
from app.spaces.service import add_member, create_space, join_space

FOUNDED_DAYS_AGO = 240
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
    (
        "welcome",
        "david.nguyen",
        "question",
        "Where do I find the travel policy?",
        "Booking my first trip to the Vienna office. Is there a page with the rules?",
    ),
    (
        "engineering",
        "jonas.wolf",
        "discussion",
        "My first month: what helped",
        "Pairing on real tickets from day two, and a README that starts the app in one command.",
    ),
    (
        "running-club",
        "eva.mueller",
        "discussion",
        "Company relay: two places left",
        "We run the **company relay** in May. Who takes the last two legs?",
    ),
    (
        "engineering",
        "farid.haddad",
        "question",
        "Anyone using DuckDB for reporting?",
        "Our monthly numbers take 20 minutes in the warehouse. Curious about your experience.",
    ),
    (
        "welcome",
        "ines.costa",
        "discussion",
        "Coffee roulette on Fridays?",
        "Random pairs, 20 minutes, any topic. Reply if you want in.",
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
        user = session.exec(select(User).where(col(User.email) == email)).scalars().first()  # type: ignore[call-overload]
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
    if session.exec(select(Space.id).where(Space.slug == "welcome")).first() is not None:  # type: ignore[call-overload]
        return False
    people = _ensure_demo_people(session)
    spaces: dict[str, Space] = {}
    now = utcnow()
    for age, (name, slug, description, visibility, policy, host, members) in enumerate(SPACES):
        space = create_space(
            session,
            creator=people[host],
            name=name,
            slug=slug,
            description=description,
            visibility=visibility,
            join_policy=policy,
        )
        # People added after the demo (CLI, invitation, single sign-on) land in the welcome space.
        space.everyone_joins = slug == "welcome"
        # A community that has been going for months: its spaces' early days are long past, so
        # "Early adopter" marks the few who started each space (their first posts, dated then),
        # not everyone who writes today.
        space.created_at = now - timedelta(days=FOUNDED_DAYS_AGO - 7 * age)
        spaces[slug] = space
        host_access = access_for(session, people[host], space)
        for handle in people if members == ["*"] else members:
            if handle != host:
                add_member(session, access=host_access, user=people[handle])
        admins = session.exec(select(User).where(col(User.site_role) == "admin")).scalars().all()  # type: ignore[call-overload]
        if visibility == "public":
            for admin in admins:
                join_space(session, access=access_for(session, admin, space))
    created: list[Post] = []
    started: set[str] = set()
    for slug, author, kind, title, body in POSTS:
        access = access_for(session, people[author], spaces[slug])
        # Each space's first post opened it, back then; the rest is today's conversation.
        then = None if slug in started else spaces[slug].created_at + timedelta(days=1)
        started.add(slug)
        created.append(
            create_post(
                session, access=access, title=title, body=body, kind=kind, published_at=then
            )
        )
    set_pinned(session, user=people["clara.weber"], post_id=created[0].id, pinned=True)  # type: ignore[arg-type]
    for _slug, index, author, body in COMMENTS:
        add_comment(session, user=people[author], post_id=created[index].id, body=body)  # type: ignore[arg-type]
    for handle in ("ben.okafor", "eva.mueller", "david.nguyen", "greta.hansen"):
        react(session, user=people[handle], post_id=created[0].id, kind="like")  # type: ignore[arg-type]
    react(session, user=people["clara.weber"], post_id=created[1].id, kind="thanks")  # type: ignore[arg-type]
    session.flush()
    return True
