"""The demo keeps badges meaningful: "Early adopter" beside a name only where it was earned."""

from sqlmodel import select

from app.demo.seed import DEMO_PASSWORD, seed_community
from app.people.models import User
from app.posts.models import Post
from app.recognition.jobs import grant_badges
from app.recognition.service import name_marks
from tests.factories import make_post, make_space, make_user
from tests.recognition.helpers import configure

EARLY = "Early adopter"


def _wears_early(session, user_id, space_id) -> bool:
    marks = name_marks(session, [(user_id, space_id)]).get((user_id, space_id), [])
    return any(badge.name == EARLY for badge in marks)


def test_in_the_demo_only_the_people_who_started_a_space_are_its_early_adopters(session):
    seed_community(session)
    grant_badges(session)
    session.commit()

    posts = session.exec(select(Post)).all()
    wearing = [p for p in posts if _wears_early(session, p.author_id, p.space_id)]
    spaces = {p.space_id for p in posts}
    # At most one founder per space, so most posts carry no such badge.
    assert len({(p.author_id, p.space_id) for p in wearing}) <= len(spaces)
    assert len(wearing) < len(posts) / 2


def test_the_demo_home_page_is_not_covered_in_early_adopter_badges(session, login):
    seed_community(session)
    grant_badges(session)
    session.commit()
    ben = session.exec(select(User).where(User.email == "ben.okafor@agora.local")).one()
    home = login(ben, password=DEMO_PASSWORD).get("/").text
    cards = home.count('post-card" id="post-') + home.count("post-card is-pinned")
    assert cards >= 8
    assert home.count(f"</span>{EARLY}</span>") < cards / 2


def test_the_badge_shows_beside_a_name_only_in_the_space_where_it_was_earned(session, login):
    configure(session, early_adopter_count=1)
    founder, reader = make_user(session), make_user(session)
    early = make_space(session, host=founder, members=(reader,))
    first = make_post(session, author=founder, space=early, title="The very first")
    later_host = make_user(session)
    late = make_space(session, host=later_host, members=(founder, reader))
    make_post(session, author=later_host, space=late, title="Opening")
    second = make_post(session, author=founder, space=late, title="Joining in")

    client = login(reader)

    def byline(post) -> str:
        return client.get(f"/posts/{post.id}").text.split('<p class="meta">')[1].split("</p>")[0]

    assert EARLY in byline(first)
    assert founder.display_name in byline(second) and EARLY not in byline(second)
