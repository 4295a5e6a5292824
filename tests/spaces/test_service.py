"""Spaces: creation, settings, joining by policy, hosts and members."""

import pytest
from sqlmodel import select

from app.core.errors import Conflict, Forbidden, Invalid, NotFound
from app.spaces import service
from app.spaces.access import access_for, space_access_by_slug
from app.spaces.models import MemberRole, Membership, MemberState, Space
from tests.factories import make_space, make_user


def test_creator_becomes_the_first_host_and_slug_is_derived(session):
    host = make_user(session)
    space = service.create_space(session, creator=host, name="Sales DACH – Süd")
    access = access_for(session, host, space)
    assert space.slug == "sales-dach-sud"
    assert access.is_host and access.can_moderate and access.can_write


def test_same_name_gets_a_distinct_slug(session):
    host = make_user(session)
    a = service.create_space(session, creator=host, name="Book club")
    b = service.create_space(session, creator=host, name="Book club")
    assert (a.slug, b.slug) == ("book-club", "book-club-2")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "n" * 81}, "name"),
        ({"description": "d" * 2001}, "description"),
        ({"visibility": "hidden"}, "visibility"),
        ({"join_policy": "whenever"}, "join_policy"),
        ({"visibility": "secret", "join_policy": "open"}, "join_policy"),
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_invalid_space_input_is_refused_and_nothing_is_written(session, kwargs, field):
    host = make_user(session)
    data = {"name": "Fine", **kwargs}
    with pytest.raises(Invalid) as caught:
        service.create_space(session, creator=host, **data)
    assert caught.value.field == field
    session.rollback()
    assert session.exec(select(Space)).all() == []


def test_open_space_join_is_immediate(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host)
    membership = service.join_space(session, access=access_for(session, person, space))
    assert membership.state == MemberState.active and membership.joined_at is not None


def test_request_space_needs_approval(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", join_policy="request")
    membership = service.join_space(session, access=access_for(session, person, space))
    assert membership.state == MemberState.requested
    assert not access_for(session, person, space).can_read

    service.decide_request(
        session, access=access_for(session, host, space), user_id=person.id, approve=True
    )
    assert access_for(session, person, space).can_read


def test_declined_request_removes_the_membership(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", join_policy="request")
    service.join_space(session, access=access_for(session, person, space))
    service.decide_request(
        session, access=access_for(session, host, space), user_id=person.id, approve=False
    )
    assert access_for(session, person, space).membership is None


def test_invite_only_space_cannot_be_joined_without_invitation(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", join_policy="invite")
    with pytest.raises(Forbidden):
        service.join_space(session, access=access_for(session, person, space))


def test_invited_person_accepts_by_joining(session):
    host, person = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="secret")
    service.add_member(session, access=access_for(session, host, space), user=person, invite=True)
    assert access_for(session, person, space).pending == MemberState.invited
    assert not access_for(session, person, space).can_read
    service.join_space(session, access=access_for(session, person, space))
    assert access_for(session, person, space).can_read


def test_only_hosts_manage_members(session):
    host, member, other = make_user(session), make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    with pytest.raises(Forbidden):
        service.add_member(session, access=access_for(session, member, space), user=other)


def test_last_host_cannot_leave_or_step_down(session):
    host = make_user(session)
    space = make_space(session, host=host)
    with pytest.raises(Conflict):
        service.leave_space(session, access=access_for(session, host, space))
    with pytest.raises(Conflict):
        service.set_role(
            session, access=access_for(session, host, space), user_id=host.id, role="member"
        )


def test_host_can_promote_then_leave(session):
    host, member = make_user(session), make_user(session)
    space = make_space(session, host=host, members=(member,))
    service.set_role(
        session, access=access_for(session, host, space), user_id=member.id, role="host"
    )
    service.leave_space(session, access=access_for(session, host, space))
    roles = session.exec(select(Membership.role).where(Membership.space_id == space.id)).all()
    assert roles == [MemberRole.host]


def test_archived_space_is_read_only(session):
    host = make_user(session)
    space = make_space(session, host=host)
    service.set_archived(session, access=access_for(session, host, space), archived=True)
    assert not access_for(session, host, space).can_write


def test_secret_space_is_unknown_to_outsiders(session):
    host, outsider, admin = make_user(session), make_user(session), make_user(session, admin=True)
    space = make_space(session, host=host, visibility="secret")
    for person in (outsider, admin):
        with pytest.raises(NotFound):
            space_access_by_slug(session, person, space.slug)
    assert space.slug not in [s.slug for s, _m, _n in service.directory(session, user=outsider)]
    assert space.slug in [s.slug for s, _m, _n in service.directory(session, user=host)]


def test_private_space_is_listed_but_not_readable(session):
    host, outsider = make_user(session), make_user(session)
    space = make_space(session, host=host, visibility="private", join_policy="request")
    access = space_access_by_slug(session, outsider, space.slug)
    assert access.can_list and not access.can_read and not access.can_write


def test_visibility_change_by_host_is_audited(session):
    from app.people.models import AuditEntry

    host = make_user(session)
    space = make_space(session, host=host)
    service.update_space(
        session,
        access=access_for(session, host, space),
        name="Renamed",
        description="",
        visibility="private",
        join_policy="request",
    )
    assert space.visibility == "private"
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "space.update")).one()
