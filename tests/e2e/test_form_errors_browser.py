"""A refused form in a real browser: the message stands beside the field, what was typed is still
there, and fixing one field is enough to send it again."""

import pytest
from playwright.sync_api import expect

from app.people.service import create_user, user_by_email
from app.recognition.custom_badges import create_badge
from tests.e2e.conftest import ANNA, Person
from tests.e2e.recognition_pages import AdminRecognitionPage

pytestmark = pytest.mark.browser

MIRA = Person("mira@example.com", "Mira Mentor", "mira")


def test_a_badge_for_a_mistyped_space_comes_back_filled_in(signed_in, server):
    with server.session() as session:
        create_user(session, email=MIRA.email, display_name=MIRA.name, password=MIRA.password)
        create_badge(session, actor=user_by_email(session, ANNA.email), name="Guild mentor")
    admin = AdminRecognitionPage(signed_in(ANNA)).open()

    admin.give_badge("Guild mentor", MIRA.email, "Ran the design guild", space="enginering")

    form = admin.award_form
    expect(form.get_by_text("Space not found")).to_be_visible()
    expect(form.get_by_label("Email of the person")).to_have_value(MIRA.email)
    expect(form.get_by_label("Reason (shown on the profile)")).to_have_value("Ran the design guild")
    expect(form.get_by_label("Space address (optional)")).to_have_attribute("aria-invalid", "true")

    form.get_by_label("Space address (optional)").fill("engineering")
    form.get_by_role("button", name="Give badge").click()

    expect(admin.page.get_by_text("Space not found")).to_have_count(0)
    expect(admin.page.get_by_text("Ran the design guild")).to_be_visible()
