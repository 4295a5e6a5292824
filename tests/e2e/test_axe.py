"""axe-core (vendored in tests/e2e/vendor/) on the main pages: no serious or critical violation,
light and dark, at 1280 and 390 px. A screenshot of every page and variant lands in
tests/e2e/screenshots/axe-<theme>-<width>-<page>.png, to be looked at.

One browser, one signed-in page per variant walking all pages: four sign-ins in all.
"""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from app.people.service import user_by_email
from app.protocols.service import create_protocol
from app.spaces.access import space_access_by_slug
from tests.e2e.conftest import ANNA, BEN, DESKTOP, PHONE, Server
from tests.e2e.pages import BasePage, LoginPage
from tests.events.factories import make_event

pytestmark = pytest.mark.browser
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VARIANTS = [
    ("light", DESKTOP),
    ("dark", DESKTOP),
    ("light", PHONE),
    ("dark", PHONE),
]
VARIANT_IDS = ["light-1280", "dark-1280", "light-390", "dark-390"]
# What the rules check against: WCAG 2.1 A/AA and axe's best practices.
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help}\\n` + v.nodes.slice(0, 5)
      .map((n) => "    " + n.target.join(" ") + "  " + n.failureSummary.replace(/\\s+/g, " "))
      .join("\\n"));
}"""


def _main_pages(server: Server) -> dict[str, str]:
    post_id = server.create_post(
        author=BEN,
        space_slug="engineering",
        title="How we review code",
        body="Read [the review guide](https://example.com/guide) before your first review, "
        "and ask @anna when in doubt.\n\n- small changes\n- clear titles",
    )
    with server.session() as session:
        anna = user_by_email(session, ANNA.email)
        engineering = space_access_by_slug(session, anna, "engineering")
        event = make_event(
            session, host=anna, space=engineering.space, title="Architecture meetup",
            description="Bring a diagram. [Agenda](https://example.com/agenda)",
        )  # fmt: skip
        protocol = create_protocol(
            session, access=engineering, title="Architecture review",
            text="# Architecture review\n\n## Decisions\n\n- Use PostgreSQL\n\n"
            "## Action items\n\n- [ ] @ben Write the guide (due 2026-12-15)\n",
        )  # fmt: skip
        anna_id, event_id, protocol_id = anna.id, event.id, protocol.id
    return {
        "home": "/",
        "spaces": "/spaces",
        "space": "/spaces/engineering",
        "post": f"/posts/{post_id}",
        "events": "/spaces/engineering/events",
        "event": f"/events/{event_id}",
        "protocols": "/spaces/engineering/protocols",
        "protocol": f"/protocols/{protocol_id}",
        "showcase": "/showcase",
        "action-items": "/action-items",
        "notifications": "/notifications",
        "settings": "/settings",
        "profile": f"/people/{anna_id}",
        "admin-people": "/admin/people",
        "admin-health": "/admin/health",
        "moderation": "/moderation",
        "visibility": "/about/visibility",
        "not-found": "/no-such-page",
    }


def _violations(page: Page) -> list[str]:
    return list(page.evaluate(RUN_AXE))


@pytest.mark.parametrize(("theme", "viewport"), VARIANTS, ids=VARIANT_IDS)
def test_main_pages_have_no_serious_accessibility_violations(
    browser: Browser, server: Server, theme: str, viewport: dict[str, int]
) -> None:
    phone = viewport == PHONE
    context = browser.new_context(
        base_url=server.url,
        viewport=viewport,  # type: ignore[arg-type]
        color_scheme=theme,  # type: ignore[arg-type]
        is_mobile=phone,
        has_touch=phone,
        locale="en-GB",
    )
    context.set_default_timeout(10_000)
    # An init script is not subject to the pages' Content-Security-Policy (which forbids
    # inline scripts), so the policy under test stays as strict as in production.
    context.add_init_script(path=AXE)
    page = context.new_page()
    try:
        login = LoginPage(page).open()
        found = {"login": _violations(page)}
        login.screenshot(f"axe-{theme}-{viewport['width']}-login")
        login.sign_in(ANNA.email, ANNA.password)
        page.wait_for_url("**/")
        for name, path in _main_pages_cached(server).items():
            page.goto(path)
            page.wait_for_load_state("networkidle")
            found[name] = _violations(page)
            BasePage(page).screenshot(f"axe-{theme}-{viewport['width']}-{name}")
    finally:
        context.close()
    problems = [f"{name}: {v}" for name, violations in found.items() for v in violations]
    assert not problems, "\n".join(problems)


_PAGES: dict[str, dict[str, str]] = {}


def _main_pages_cached(server: Server) -> dict[str, str]:
    if server.url not in _PAGES:
        _PAGES[server.url] = _main_pages(server)
    return _PAGES[server.url]
