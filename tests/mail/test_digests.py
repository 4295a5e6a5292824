"""Digests: content, language, time zone, nothing unreadable, nothing twice."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select
from typer.testing import CliRunner

from app.cli import cli
from app.core.db import utcnow
from app.mail.digests import _claim_period, is_due, send_digest_now, send_due_digests
from app.mail.models import NotificationSettings, OutboxMessage
from app.mail.outbox import deliver_outbox
from app.mail.preferences import update_choices
from app.protocols import service as protocols
from app.showcase.service import feature_post
from app.spaces.access import access_for
from tests.events.factories import make_event
from tests.factories import make_comment, make_post, make_space, make_user
from tests.mail.conftest import html_part, text_part


def _leader(session, **kwargs):
    person = make_user(session, **kwargs)
    person.is_leader = True
    session.add(person)
    session.commit()
    return person


def _digests(session):
    session.expire_all()
    return session.exec(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()


def test_the_digest_tells_what_the_person_missed_in_their_language(session, inbox):
    leader = _leader(session, name="Lena Leader")
    host, reader = make_user(session), make_user(session, name="Rita", locale="de")
    space = make_space(session, host=host, members=(leader, reader), name="Sales DACH")
    make_post(session, author=leader, space=space, title="Our strategy for next year")
    busy = make_post(session, author=host, space=space, title="Lunch options")
    for _ in range(3):
        make_comment(session, author=leader, post=busy)
    showcased = make_post(session, author=host, space=space, title="How we onboard")
    feature_post(session, user=host, post_id=showcased.id, tags="onboarding")
    make_event(session, host=host, space=space, title="Summer party")
    text = f"# Actions\n- [ ] @{reader.handle} Book the room (due {utcnow().date().isoformat()})\n"
    protocols.create_protocol(
        session, access=access_for(session, host, space), title="Weekly", text=text
    )
    session.commit()

    assert send_digest_now(session, person=reader)
    session.commit()
    assert deliver_outbox(session) == 2  # the digest, and the action item right away

    [message] = [m for m in inbox.to(reader.email) if "verpasst" in m["Subject"]]
    assert message["Subject"] == "Was du in Agora verpasst hast"
    body = text_part(message)
    assert "Hallo Rita" in body
    assert "Our strategy for next year" in body and "Lena Leader" in body
    assert "Lunch options (3 neue Kommentare)" in body
    assert "How we onboard" in body
    assert "Summer party" in body and "/events/" in body
    assert "Book the room" in body
    assert "Our strategy for next year" in html_part(message)
    assert message["List-Unsubscribe"].startswith("<http://testserver/unsubscribe/")


def test_nothing_from_a_space_the_person_cannot_read(session, inbox):
    leader = _leader(session)
    outsider, member = make_user(session), make_user(session)
    private = make_space(session, host=leader, visibility="private", members=(member,))
    public = make_space(session, host=leader)
    make_post(session, author=leader, space=private, title="Private reorganisation")
    make_post(session, author=leader, space=public, title="Open letter")
    make_event(session, host=leader, space=private, title="Private offsite")
    session.commit()

    assert send_digest_now(session, person=outsider)
    assert send_digest_now(session, person=member)
    session.commit()
    deliver_outbox(session)

    outsiders = text_part(inbox.to(outsider.email)[0]) + html_part(inbox.to(outsider.email)[0])
    assert "Open letter" in outsiders
    assert "Private reorganisation" not in outsiders and "Private offsite" not in outsiders
    members = text_part(inbox.to(member.email)[0])
    assert "Private reorganisation" in members and "Private offsite" in members


def test_nothing_twice_and_no_digest_when_there_is_nothing_to_tell(session, inbox):
    leader = _leader(session)
    reader = make_user(session)
    space = make_space(session, host=leader, members=(reader,))
    make_post(session, author=leader, space=space, title="Once only")
    session.commit()

    assert send_digest_now(session, person=reader)
    session.commit()
    assert not send_digest_now(session, person=reader)  # nothing new since
    session.commit()
    deliver_outbox(session)
    assert len(inbox.to(reader.email)) == 1
    assert len(_digests(session)) == 1


def test_the_digest_includes_notifications_the_person_wants_in_it(session, inbox):
    author, reader = make_user(session, name="Anna"), make_user(session)
    space = make_space(session, host=author, members=(reader,))
    post = make_post(session, author=reader, space=space, title="My question")
    make_comment(session, author=author, post=post)  # a reply: in the digest by default
    assert send_digest_now(session, person=reader)
    session.commit()
    deliver_outbox(session)
    assert "Anna" in text_part(inbox.to(reader.email)[0])


def test_digests_go_out_in_the_morning_of_the_recipients_time_zone():
    # Monday 2026-12-07, 06:30 UTC: 07:30 in Berlin, 22:30 on Sunday in Los Angeles.
    monday = datetime(2026, 12, 7, 6, 30, tzinfo=UTC)
    assert is_due("weekly", None, "Europe/Berlin", monday)
    assert not is_due("weekly", None, "America/Los_Angeles", monday)
    assert not is_due("weekly", None, "Europe/Berlin", monday - timedelta(hours=1))  # 06:30
    assert not is_due("weekly", monday - timedelta(days=2), "Europe/Berlin", monday)
    assert not is_due("weekly", None, "Europe/Berlin", monday + timedelta(days=1))  # Tuesday
    assert is_due("weekly", monday - timedelta(days=9), "Europe/Berlin", monday + timedelta(days=1))
    assert is_due("daily", monday - timedelta(days=1), "Asia/Tokyo", monday)  # 15:30 there
    assert not is_due("daily", monday - timedelta(hours=2), "Europe/Berlin", monday)
    assert not is_due("off", None, "Europe/Berlin", monday)


def _next_monday_morning() -> datetime:
    """The first Monday 08:00 UTC after now: within the week a first weekly digest looks back
    over. (Counted as "Monday next week", it was eight days ahead early on a Monday, and a post
    written then fell outside the week.)"""
    now = utcnow()
    morning = (now + timedelta(days=-now.weekday() % 7)).replace(
        hour=8, minute=0, second=0, microsecond=0
    )
    return morning if morning > now else morning + timedelta(days=7)


def test_the_job_sends_each_due_digest_once_and_skips_those_not_due(session, inbox):
    leader = _leader(session)
    berlin, tokyo_off = make_user(session), make_user(session)
    space = make_space(session, host=leader, members=(berlin, tokyo_off))
    update_choices(session, user_id=tokyo_off.id, digest="off")
    update_choices(session, user_id=leader.id, digest="daily")
    session.commit()
    make_post(session, author=leader, space=space, title="News")
    morning = _next_monday_morning()  # 09:00 in Berlin

    assert send_due_digests(session, now=morning) == 1  # berlin; the leader missed nothing
    assert send_due_digests(session, now=morning) == 0
    assert {row.to_address for row in _digests(session)} == {berlin.email}


def test_no_digests_are_assembled_without_a_mail_server(session):
    leader = _leader(session)
    reader = make_user(session)
    make_post(session, author=leader, space=make_space(session, host=leader, members=(reader,)))
    assert send_due_digests(session, now=_next_monday_morning()) == 0
    assert _digests(session) == []
    assert session.get(NotificationSettings, reader.id) is None  # the period stays unclaimed


def test_two_processes_claim_a_period_once(session):
    person = make_user(session)
    now = utcnow()
    assert _claim_period(session, person.id, None, now)
    assert not _claim_period(session, person.id, None, now)  # the other process lost the race
    session.commit()
    assert session.get(NotificationSettings, person.id).last_digest_at == now


def test_no_digest_for_a_deactivated_person(session, inbox):
    leader = _leader(session, admin=True)
    reader = make_user(session)
    space = make_space(session, host=leader, members=(reader,))
    make_post(session, author=leader, space=space)
    reader.is_active = False
    session.add(reader)
    session.commit()
    assert not send_digest_now(session, person=reader)


def test_send_now_from_the_command_line(session, inbox):
    leader = _leader(session)
    reader = make_user(session)
    space = make_space(session, host=leader, members=(reader,))
    make_post(session, author=leader, space=space, title="Hello all")
    result = CliRunner().invoke(cli, ["digests", "send-now", reader.email])
    assert result.exit_code == 0, result.output
    assert "Digest sent" in result.output
    assert "Hello all" in text_part(inbox.to(reader.email)[0])
    result = CliRunner().invoke(cli, ["digests", "send-now", reader.email])
    assert "Nothing to tell" in result.output
    result = CliRunner().invoke(cli, ["digests", "send-now", "nobody@example.com"])
    assert result.exit_code == 1
