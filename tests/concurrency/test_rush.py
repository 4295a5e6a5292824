"""Every write path with a rule to keep, rushed by 16 clients at once over HTTP.

Each test lets its clients go at the same moment (a barrier), asserts that no answer was a 5xx
or took over two seconds (Live.rush), and then reads back through the API that the rule held.
"""

from collections import Counter
from datetime import timedelta

from argon2 import PasswordHasher, extract_parameters
from sqlmodel import col, func, select

from app.core.db import utcnow
from app.events.models import Rsvp
from app.events.schemas import EventInput
from app.events.service import create_event
from app.onboarding.models import OnboardingProgress
from app.people.models import User
from app.posts.models import Post
from app.protocols.service import create_protocol
from app.recognition.models import Award
from app.spaces.access import access_for
from app.spaces.models import Membership
from tests.concurrency.conftest import CLIENTS, Live, at_sign_in_form, form_post, sign_in
from tests.conftest import PASSWORD
from tests.factories import make_post, make_space, make_token, make_user


def _people(live: Live, n: int = CLIENTS) -> tuple[User, list[User], list[str], object]:
    """A host with a public space and n members, each with a token (the host's comes first)."""
    with live.session() as session:
        host = make_user(session)
        members = [make_user(session) for _ in range(n)]
        space = make_space(session, host=host, members=tuple(members))
        tokens = [make_token(session, user=u) for u in (host, *members)]
    return host, members, tokens, space


def _all(live: Live, path: str, token: str) -> list[dict]:
    items: list[dict] = []
    cursor = None
    while True:
        page = live.call("GET", path + (f"&cursor={cursor}" if cursor else ""), token)
        assert page.status == 200, page
        items += page.body["items"]
        cursor = page.body["next_cursor"]
        if not cursor:
            return items


def test_comments_on_one_post_are_all_kept_and_counted(live):
    host, _members, tokens, space = _people(live)
    with live.session() as session:
        post = make_post(session, author=host, space=space)
    each = 3
    answers = live.rush(
        [
            ("POST", f"/api/v1/posts/{post.id}/comments", tokens[1 + i], {"body": f"c{i}-{k}"})
            for i in range(CLIENTS)
            for k in range(each)
        ],
        each=each,
    )

    assert Counter(a.status for a in answers) == {201: CLIENTS * each}
    stored = _all(live, f"/api/v1/posts/{post.id}/comments?limit=100", tokens[0])
    assert sorted(c["body"] for c in stored) == sorted(
        f"c{i}-{k}" for i in range(CLIENTS) for k in range(each)
    )
    with live.session() as session:
        assert session.get(Post, post.id).comment_count == CLIENTS * each


def test_answers_to_a_prompt_each_mark_their_author_once(live):
    """A comment on a prompt also records the author's checklist step: two clients of the same
    person race to create that one row."""
    host, members, tokens, space = _people(live, CLIENTS // 2)
    with live.session() as session:
        prompt = make_post(session, author=host, space=space, kind="prompt", title="Hello?")
    each = 2
    answers = live.rush(
        [
            (
                "POST",
                f"/api/v1/posts/{prompt.id}/comments",
                tokens[1 + i // 2],
                {"body": f"a{i}-{k}"},
            )
            for i in range(CLIENTS)
            for k in range(each)
        ],
        each=each,
    )

    assert Counter(a.status for a in answers) == {201: CLIENTS * each}
    with live.session() as session:
        assert session.get(Post, prompt.id).comment_count == CLIENTS * each
        marked = session.exec(
            select(OnboardingProgress.user_id).where(
                col(OnboardingProgress.answered_prompt_at).is_not(None)
            )
        ).all()
    assert sorted(marked) == sorted(m.id for m in members)


def _event(live: Live, host: User, space: object, capacity: int) -> int:
    with live.session() as session:
        starts = utcnow() + timedelta(days=7)
        event = create_event(
            session,
            access=access_for(session, host, space),
            data=EventInput(
                title="Meetup",
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                timezone="Europe/Berlin",
                capacity=capacity,
            ),
        )
        return event.id


def test_a_meetup_with_three_places_is_never_overbooked(live):
    host, members, tokens, space = _people(live)
    event_id = _event(live, host, space, capacity=3)

    answers = live.rush(
        [("POST", f"/api/v1/events/{event_id}/rsvp", t, {"status": "going"}) for t in tokens[1:]]
    )

    assert Counter(a.body["status"] for a in answers) == {"going": 3, "waitlisted": CLIENTS - 3}
    event = live.call("GET", f"/api/v1/events/{event_id}", tokens[0]).body
    assert (event["going_count"], event["waitlist_count"]) == (3, CLIENTS - 3)
    going = {
        a["user_id"]
        for a in _all(live, f"/api/v1/events/{event_id}/attendees?limit=100", tokens[0])
        if a["status"] == "going"
    }
    told_going = {
        m.id for m, a in zip(members, answers, strict=True) if a.body["status"] == "going"
    }
    assert going == told_going
    # The waitlist is served in the order people asked: one turn each, no two alike.
    with live.session() as session:
        queue = session.exec(
            select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == "waitlisted")
        ).all()
        assert len({r.queued_at for r in queue}) == len(queue) == CLIENTS - 3

    # One place given up goes to the first in the queue, once, however many ask at once.
    first = min(queue, key=lambda r: r.queued_at)
    leaving = next(m for m in members if m.id in going)
    leaver_token = tokens[1 + members.index(leaving)]
    live.rush(
        [("POST", f"/api/v1/events/{event_id}/rsvp", leaver_token, {"status": "declined"})] * 4
    )
    event = live.call("GET", f"/api/v1/events/{event_id}", tokens[0]).body
    assert (event["going_count"], event["waitlist_count"]) == (3, CLIENTS - 4)
    with live.session() as session:
        assert session.exec(select(Rsvp.status).where(Rsvp.id == first.id)).one() == "going"


def test_one_person_answering_many_times_at_once_has_one_rsvp(live):
    host, members, tokens, space = _people(live, n=1)
    event_id = _event(live, host, space, capacity=10)

    live.rush(
        [("POST", f"/api/v1/events/{event_id}/rsvp", tokens[1], {"status": "going"})] * CLIENTS
    )

    with live.session() as session:
        rows = session.exec(select(Rsvp).where(Rsvp.event_id == event_id)).all()
        assert [(r.user_id, r.status) for r in rows] == [(members[0].id, "going")]


def test_reactions_count_each_person_once(live):
    host, _members, tokens, space = _people(live)
    with live.session() as session:
        post = make_post(session, author=host, space=space)

    live.rush(
        [("POST", f"/api/v1/posts/{post.id}/reactions", t, {"kind": "like"}) for t in tokens[1:]]
        * 2
    )

    assert live.call("GET", f"/api/v1/posts/{post.id}", tokens[0]).body["reactions"] == {
        "like": CLIENTS
    }


def test_the_monthly_kudos_budget_holds_under_a_rush(live):
    _host, members, tokens, _space = _people(live)
    giver = tokens[1]
    budget = 20
    requests = [
        (
            "POST",
            "/api/v1/kudos",
            giver,
            {"to_user_id": members[1 + i % (CLIENTS - 1)].id, "message": f"Thanks {i}"},
        )
        for i in range(budget + 10)
    ]

    answers = live.rush(requests)

    assert Counter(a.status for a in answers) == {201: budget, 429: 10}
    given = sum(
        len(_all(live, f"/api/v1/users/{m.id}/kudos?limit=100", tokens[0])) for m in members[1:]
    )
    assert given == budget


def test_early_adopter_places_are_given_once_each(live):
    host, members, tokens, space = _people(live)
    with live.session() as session:
        post = make_post(session, author=host, space=space)

    live.rush(
        [("POST", f"/api/v1/posts/{post.id}/comments", t, {"body": "Me too!"}) for t in tokens[1:]]
    )

    badges = {
        m.id: [
            b
            for b in live.call("GET", f"/api/v1/users/{m.id}/badges", tokens[0]).body["items"]
            if b["slug"] == "early-adopter" and b["space"] == space.slug
        ]
        for m in (host, *members)
    }
    assert all(len(found) <= 1 for found in badges.values())
    # The host posted first; nine of the sixteen who answered at once get the other places.
    assert sum(len(found) for found in badges.values()) == 10
    assert badges[host.id]
    with live.session() as session:
        awarded = session.exec(
            select(Award.user_id, func.count())
            .where(Award.space_id == space.id)
            .group_by(Award.user_id, Award.badge_id)
        ).all()
        assert all(n == 1 for _user, n in awarded)


def test_protocol_saves_from_the_same_version_are_all_merged(live):
    host, _members, tokens, space = _people(live)
    # An unchanged line between any two edits: a three-way merge joins separate changes only.
    lines = [f"- point {i}: open\n\nNotes on point {i}.\n" for i in range(CLIENTS)]
    with live.session() as session:
        protocol = create_protocol(
            session,
            access=access_for(session, host, space),
            title="Weekly",
            template="blank",
            text="\n".join(lines) + "\n",
        )
        protocol_id = protocol.id
    current = live.call("GET", f"/api/v1/protocols/{protocol_id}", tokens[0]).body

    answers = live.rush(
        [
            (
                "PUT",
                f"/api/v1/protocols/{protocol_id}",
                tokens[1 + i],
                {
                    "text": current["text"].replace(f"point {i}: open", f"point {i}: done"),
                    "base_version": current["version"],
                },
            )
            for i in range(CLIENTS)
        ]
    )

    assert Counter(a.status for a in answers) == {200: CLIENTS}
    text = live.call("GET", f"/api/v1/protocols/{protocol_id}", tokens[0]).body["text"]
    assert all(f"- point {i}: done" in text for i in range(CLIENTS)), text


def test_joining_at_once_makes_one_membership_each(live):
    with live.session() as session:
        host = make_user(session)
        people = [make_user(session) for _ in range(CLIENTS // 2)]
        space = make_space(session, host=host)
        tokens = [make_token(session, user=p) for p in people]

    live.rush([("POST", f"/api/v1/spaces/{space.slug}/join", t, None) for t in tokens] * 2)

    with live.session() as session:
        rows = session.exec(select(Membership.user_id).where(Membership.space_id == space.id)).all()
        assert sorted(rows) == sorted([host.id, *(p.id for p in people)])
    assert (
        live.call("GET", f"/api/v1/spaces/{space.slug}", tokens[0]).body["member_count"]
        == len(people) + 1
    )


def test_flags_count_once_per_person(live):
    _host, members, tokens, space = _people(live)
    with live.session() as session:
        post = make_post(session, author=members[0], space=space)
    # Two people, eight times each: a third person would hide the post (then it is gone for
    # the others, a 404), so two keep every answer about the flag itself.
    flaggers = tokens[2:4]

    answers = live.rush(
        [("POST", f"/api/v1/posts/{post.id}/flags", t, {"reason": "off"}) for t in flaggers]
        * (CLIENTS // 2)
    )

    # Flagging again only updates one's reason (a race may answer 409 instead: never a 5xx).
    assert set(Counter(a.status for a in answers)) <= {201, 409}
    queue = live.call("GET", "/api/v1/moderation/queue", tokens[0]).body["items"]
    entry = next(q for q in queue if q["target_type"] == "post" and q["target_id"] == post.id)
    assert (entry["flags"], entry["hidden"]) == (2, False)


def test_joining_and_leaving_through_the_pages_at_once_is_idempotent(live):
    with live.session() as session:
        host = make_user(session)
        people = [make_user(session) for _ in range(CLIENTS // 4)]
        space = make_space(session, host=host)
        tokens = [make_token(session, user=p) for p in people]
    browsers = [
        sign_in(live.urls[i % len(live.urls)], p.email, PASSWORD) for i, p in enumerate(people)
    ]

    def page(path: str, cookies: dict[str, str]):  # type: ignore[no-untyped-def]
        return lambda base: form_post(base, path, cookies, {})

    joins = live.rush([page(f"/spaces/{space.slug}/join", c) for c in browsers] * 4)
    assert {a.status for a in joins} == {303}
    assert (
        live.call("GET", f"/api/v1/spaces/{space.slug}", tokens[0]).body["member_count"]
        == len(people) + 1
    )

    leaves = live.rush([page(f"/spaces/{space.slug}/leave", c) for c in browsers] * 4)
    assert {a.status for a in leaves} == {303}
    with live.session() as session:
        rows = session.exec(select(Membership.user_id).where(Membership.space_id == space.id)).all()
        assert rows == [host.id]


def test_sign_ins_at_once_each_bring_an_old_password_hash_up_to_date(live):
    """Two browsers per person sign in at the same moment; each person's hash was made with
    other parameters, so both sign-ins hash it again and write it (the last one wins)."""
    older = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)
    with live.session() as session:
        people = [make_user(session) for _ in range(CLIENTS // 2)]
        for person in people:
            person.password_hash = older.hash(PASSWORD)
            session.add(person)
    browsers = [
        (person, at_sign_in_form(live.urls[i % len(live.urls)]))
        for i, person in enumerate(people * 2)
    ]
    form = {"password": PASSWORD, "next": "/"}

    answers = live.rush(
        [
            lambda base, p=person, c=cookies: form_post(
                base, "/login", c, {**form, "email": p.email}
            )
            for person, cookies in browsers
        ]
    )

    assert {a.status for a in answers} == {303}
    assert all("agora_session" in cookies for _person, cookies in browsers)
    with live.session() as session:
        hashes = session.exec(
            select(User.password_hash).where(col(User.id).in_([p.id for p in people]))
        ).all()
    assert len(hashes) == len(people)
    old_parameters = extract_parameters(older.hash(PASSWORD))
    for stored in hashes:
        assert extract_parameters(stored) != old_parameters
        assert PasswordHasher().verify(stored, PASSWORD)
