"""Recognition in a real browser: leader badge, early adopters of a new space, kudos flow.

The browser suite's server is shared by its tests, so these make people and spaces of their own.
"""

import pytest
from playwright.sync_api import expect

from app.people.service import create_user, user_by_email
from app.protocols.service import create_protocol
from app.spaces.access import access_for, space_access_by_slug
from app.spaces.service import add_member, create_space
from tests.e2e.conftest import ANNA, Person
from tests.e2e.pages import HomePage
from tests.e2e.recognition_pages import (
    AdminRecognitionPage,
    NewSpacePage,
    ProfilePage,
    ProtocolKudosPage,
    ProtocolTextPage,
    RecognitionSettingsPage,
    RecognitionSpacePage,
)

pytestmark = pytest.mark.browser

GRETA = Person("greta@example.com", "Greta Hansen", "greta")
RUDI = Person("rudi@example.com", "Rudi Reader", "rudi")
FARID = Person("farid@example.com", "Farid Founder", "farid")
SINA = Person("sina@example.com", "Sina Second", "sina")
INES = Person("ines@example.com", "Ines Costa", "ines")
OKO = Person("oko@example.com", "Oko Okafor", "oko")


def _people(server, *people: Person) -> dict[str, int]:
    with server.session() as session:
        users = [
            create_user(session, email=p.email, display_name=p.name, password=p.password)
            for p in people
        ]
        session.flush()
        return {p.email: u.id for p, u in zip(people, users, strict=True)}


def _space(server, name: str, host: Person, *members: Person) -> str:
    """A public space of the test's own, with its members (through the services)."""
    with server.session() as session:
        owner = user_by_email(session, host.email)
        space = create_space(session, creator=owner, name=name)
        for member in members:
            add_member(
                session,
                access=access_for(session, owner, space),
                user=user_by_email(session, member.email),
            )
        return space.slug


def test_admin_marks_a_leader_and_the_badge_shows_in_the_stream(signed_in, server):
    _people(server, GRETA, RUDI)
    slug = _space(server, "All hands", GRETA, RUDI)
    greta = RecognitionSpacePage(signed_in(GRETA), slug).open()
    greta.write_post("Our plans for next year", "Questions welcome.")

    admin = AdminRecognitionPage(signed_in(ANNA)).open()
    admin.mark_leader(GRETA.email, "CEO")
    expect(admin.leaders.filter(has_text=GRETA.name)).to_contain_text("CEO")

    page = signed_in(RUDI)
    space = RecognitionSpacePage(page, slug).open()
    badge = space.card("Our plans for next year").locator(".badge-leader")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("Leader: CEO")  # text, not colour; the title for screen readers
    expect(space.aside).to_contain_text("Leaders taking part")
    space.screenshot("recognition-leader-in-stream")
    home = HomePage(page).open()
    expect(page.locator(".voices")).to_contain_text("Our plans for next year")
    home.screenshot("recognition-home-leaders-voices")


def test_first_contributors_of_a_new_space_become_early_adopters(signed_in, server):
    ids = _people(server, FARID, SINA)
    founder = NewSpacePage(signed_in(FARID)).open().create("Coffee lovers")
    founder.write_post("Best beans in town?", "Share your favourites.")

    page = signed_in(SINA)
    space = RecognitionSpacePage(page, founder.slug).open().join()
    space.write_post("Try the roastery", "Round the corner from the office.")
    space = RecognitionSpacePage(page, founder.slug).open()

    for title in ("Best beans in town?", "Try the roastery"):
        expect(space.card(title).locator(".badge-mark")).to_have_text("Early adopter")
    expect(space.aside.locator(".spotlight")).to_contain_text("Early adopter spotlight")
    space.screenshot("recognition-early-adopters-in-space")
    profile = ProfilePage(page, ids[FARID.email]).open()
    expect(profile.badges).to_contain_text("Early adopter · Coffee lovers")
    expect(profile.badges).to_contain_text("One of the first people to take part in Coffee lovers.")
    profile.screenshot("recognition-profile-badges")


def test_kudos_from_the_posts_menu_reach_the_profile(signed_in, server):
    _people(server, INES, OKO)
    slug = _space(server, "Design", INES, OKO)
    RecognitionSpacePage(signed_in(INES), slug).open().write_post(
        "New button styles", "Have a look and tell me."
    )

    page = signed_in(OKO)
    post = RecognitionSpacePage(page, slug).open().open_post("New button styles")
    page.evaluate("window.agoraNoReload = true")
    post.open_kudos()
    expect(post.dialog).to_contain_text("Who will see this:")
    post.screenshot("recognition-kudos-dialog")
    post.send_kudos("These make the forms so much clearer!")
    assert page.evaluate("() => window.agoraNoReload === true")  # htmx, no reload
    post.screenshot("recognition-kudos-sent")
    page.get_by_role("link", name="See them on the profile").click()

    profile = ProfilePage(page).arrived()
    expect(profile.kudos).to_contain_text("These make the forms so much clearer!")
    expect(profile.kudos).to_contain_text("For New button styles in Design")
    profile.screenshot("recognition-profile-kudos")


PIA = Person("pia@example.com", "Pia Protokoll", "pia")
TOM = Person("tom@example.com", "Tom Tafel", "tom")
LEA = Person("lea@example.com", "Lea Leser", "lea")


def test_kudos_thank_all_co_authors_of_a_protocol(signed_in, server):
    ids = _people(server, PIA, TOM, LEA)
    slug = _space(server, "Team rituals", PIA, TOM, LEA)
    with server.session() as session:
        access = space_access_by_slug(session, user_by_email(session, PIA.email), slug)
        # The document's own "# heading" is shown one level down: the page keeps one <h1>.
        protocol_id = create_protocol(
            session, access=access, title="Retro week 12", text="# Retro week 12\n"
        ).id
    for author, line in ((PIA, "- Went well: pairing"), (TOM, "- To improve: shorter standups")):
        ProtocolTextPage(signed_in(author), protocol_id).open().append(line)

    page = signed_in(LEA)
    protocol = ProtocolKudosPage(page, protocol_id).open()
    page.evaluate("window.agoraNoReload = true")
    protocol.open_kudos()
    expect(protocol.dialog).to_contain_text("2 co-authors get one kudos each")
    expect(protocol.dialog).to_contain_text(PIA.name)
    expect(protocol.dialog).to_contain_text(TOM.name)
    protocol.screenshot("recognition-protocol-kudos-dialog")
    protocol.thank_them_all("Thanks for writing this up so clearly!")
    assert page.evaluate("() => window.agoraNoReload === true")  # htmx, no reload
    expect(protocol.dialog).to_contain_text("Kudos sent to 2 co-authors")
    protocol.screenshot("recognition-protocol-kudos-sent")
    protocol.dialog.get_by_role("link", name=TOM.name).click()

    profile = ProfilePage(page, ids[TOM.email]).arrived()
    expect(profile.kudos).to_contain_text("Thanks for writing this up so clearly!")
    expect(profile.kudos).to_contain_text("For Retro week 12 in Team rituals")
    profile.screenshot("recognition-profile-protocol-kudos")

    # Tom lets kudos he receives show in the space: the thanks appear in its stream.
    tom = signed_in(TOM)
    RecognitionSettingsPage(tom).open().show_kudos_in_spaces()
    space = RecognitionSpacePage(tom, slug).open()
    entry = space.thanks.filter(has_text="Thanks for writing this up so clearly!")
    expect(entry).to_contain_text(f"{LEA.name} thanked {TOM.name} for Retro week 12")
    space.screenshot("recognition-thanks-in-space-stream")
