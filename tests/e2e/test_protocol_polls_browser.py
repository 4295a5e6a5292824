"""A quick poll beside a protocol in Chromium: the host asks the room from the protocol, two
members answer beside the live document, and the host records the outcome as a decision,
which the live document and its Decisions panel then show."""

import pytest
from sqlmodel import Session

from app.core.db import get_engine
from app.protocols import service
from app.spaces.access import access_for
from tests.conftest import TEST_DATABASE_URL
from tests.e2e.conftest import _free_port
from tests.e2e.pages import assert_accessible, has_horizontal_scroll
from tests.e2e.test_protocols_browser import SHOTS, ProtocolPage, wait_until
from tests.factories import make_space, make_user
from tests.protocols.live import LiveServer

pytestmark = pytest.mark.browser
DECISION = "Poll “Ship the beta on Monday?”: Yes (2 of 2 answers)"


@pytest.fixture
def server():
    live = LiveServer(_free_port(), TEST_DATABASE_URL).start()  # a port from AGORA_E2E_PORTS
    yield live
    live.stop()


class ProtocolPollPage(ProtocolPage):
    """The protocol page's polls panel (page object for this flow)."""

    def polls_loaded(self) -> None:
        self.page.wait_for_selector("#protocol-polls .protocol-polls")

    def ask(self, question: str, options: str) -> None:
        self.polls_loaded()
        self.page.click("#protocol-polls a:has-text('Ask a quick question')")
        self.page.wait_for_url("**/polls/new")
        assert_accessible(self.page)
        self.page.fill("#qp-question", question)
        self.page.fill("#qp-options", options)
        self.page.click("text=Add the poll")
        self.page.wait_for_selector(f"#protocol-polls h2:has-text('{question}')")

    def answer(self, option: str) -> None:
        self.polls_loaded()
        poll = self.page.locator("#protocol-polls .quick-poll").first
        poll.locator(f"label:has-text('{option}') input").check()
        poll.locator("button:has-text('Answer')").click()
        self.page.wait_for_selector("#protocol-polls .quick-poll-votes")


def test_the_room_answers_beside_the_protocol_and_the_outcome_is_a_decision(server, browser):
    with Session(get_engine(), expire_on_commit=False) as session:
        host = make_user(session, name="Hanna Host")
        ada, bo = make_user(session, name="Ada Member"), make_user(session, name="Bo Member")
        space = make_space(session, host=host, members=(ada, bo), name="Release Team")
        text = "# Release sync\n\n## Decisions\n\n- Freeze on Friday\n\n## Notes\n\n"
        protocol = service.create_protocol(
            session, access=access_for(session, host, space), title="Release sync", text=text
        )
        session.commit()
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(3)]
    hanna, adas, bos = (ProtocolPollPage(c.new_page(), server.url) for c in contexts)
    for who, person in ((hanna, host), (adas, ada), (bos, bo)):
        who.page.set_default_timeout(20_000)
        who.sign_in(person.email)

    hanna.open(protocol.id)
    hanna.ask("Ship the beta on Monday?", "Yes\nNo\nNeeds another week")
    assert "Named poll: the readers of this protocol" in hanna.page.content()

    for who in (adas, bos):
        who.open(protocol.id)
        who.answer("Yes")
    votes = bos.page.locator(".quick-poll-option", has_text="Yes").inner_text()
    assert "2 votes" in votes and "Ada Member" in votes and "Bo Member" in votes
    assert_accessible(bos.page)

    hanna.open(protocol.id)
    hanna.polls_loaded()
    hanna.page.click("#protocol-polls button:has-text('Close and record as a decision')")
    hanna.page.wait_for_selector(f"#decisions-heading + ul li:has-text('{DECISION}')")
    hanna.polls_loaded()
    assert "Recorded as a decision" in hanna.page.locator("#protocol-polls").inner_text()
    assert "This poll is closed." in hanna.page.locator("#protocol-polls").inner_text()
    # The decision is in the live document too, as every editor sees it.
    wait_until(adas.page, "f => window.agoraProtocol.ytext.toString().includes(f)", DECISION)
    assert_accessible(hanna.page)
    SHOTS.mkdir(exist_ok=True)
    hanna.page.screenshot(path=str(SHOTS / "protocol-poll-decided.png"), full_page=True)
    hanna.page.set_viewport_size({"width": 390, "height": 844})
    hanna.page.reload()
    hanna.polls_loaded()
    assert not has_horizontal_scroll(hanna.page)
    hanna.page.screenshot(path=str(SHOTS / "protocol-poll-decided-phone.png"), full_page=True)
    for context in contexts:
        context.close()
