"""The people directory and the hosts' "add member" finder in a real browser, at desktop and
phone widths: type a name and the list narrows; "Load more" pages on; a host finds a person
and adds them. Screenshots land in tests/e2e/screenshots/ (people-*.png)."""

import pytest
from playwright.sync_api import expect
from sqlmodel import col, func, select

from app.people.models import User
from app.people.service import create_user
from tests.e2e.conftest import ANNA, BEN, DORA
from tests.e2e.pages import has_horizontal_scroll
from tests.e2e.search_pages import MembersPage, PeopleDirectoryPage

pytestmark = pytest.mark.browser

NAMESAKES = 34  # more than one page of the directory (30)


@pytest.fixture(scope="module")
def namesakes(server) -> int:  # type: ignore[no-untyped-def]
    """People who share a name (the keyset's tie-breaker is their id) and a department."""
    with server.session() as session:
        for n in range(NAMESAKES):
            create_user(
                session,
                email=f"namesake{n}@example.com",
                display_name="Nadia Namesake",
                department="Kartografie",
            )
    return NAMESAKES


def _active_people(server) -> int:  # type: ignore[no-untyped-def]
    with server.session() as session:
        return session.exec(
            select(func.count()).select_from(User).where(col(User.is_active).is_(True))
        ).one()


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_the_directory_narrows_as_you_type_and_loads_more(server, signed_in, namesakes, phone):
    page = signed_in(BEN, phone=phone)
    directory = PeopleDirectoryPage(page).open()
    expect(directory.listed()).to_have_count(30)
    directory.screenshot(f"people-directory-{'phone' if phone else 'desktop'}")
    assert not has_horizontal_scroll(page)
    # Every active person, a page of 30 at a time (other browser tests add people to the server).
    everyone = _active_people(server)
    for shown in range(30, everyone, 30):
        directory.more().click()
        expect(directory.listed()).to_have_count(min(shown + 30, everyone))
    expect(directory.more()).to_have_count(0)

    directory.find("Dora")
    expect(directory.listed()).to_have_count(1)
    expect(directory.listed().first).to_contain_text(DORA.name)

    directory.find("kartograf")  # the department, as a prefix
    expect(directory.listed()).to_have_count(30)
    expect(directory.more()).to_be_visible()
    directory.more().click()
    expect(directory.listed()).to_have_count(namesakes)
    expect(directory.listed("Nadia Namesake")).to_have_count(namesakes)
    directory.screenshot(f"people-directory-found-{'phone' if phone else 'desktop'}")
    assert not has_horizontal_scroll(page)


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_a_host_finds_a_person_and_adds_them(server, signed_in, phone):
    name = "Quirin Phone" if phone else "Quirin Desk"
    with server.session() as session:
        create_user(
            session, email=f"{name.split()[1].lower()}@example.com", display_name=name,
            title="Kartenleser",
        )  # fmt: skip
    page = signed_in(ANNA, phone=phone)
    members = MembersPage(page).open_for("engineering")
    expect(members.member(name)).to_have_count(0)

    offered = members.find(name.split()[1])
    expect(offered).to_have_count(1)
    expect(offered.first).to_contain_text(name)
    members.screenshot(f"people-member-finder-{'phone' if phone else 'desktop'}")
    assert not has_horizontal_scroll(page)
    offered.first.get_by_role("button", name=f"Add {name}").click()

    members.arrived()
    expect(members.member(name)).to_have_count(1)
    expect(members.find(name.split()[1]).first).to_contain_text("Already a member")
