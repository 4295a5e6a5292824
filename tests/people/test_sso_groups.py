"""Provider groups become space memberships at every sign-in (AGORA_OIDC_SPACE_GROUPS), and
hosts see where a membership came from."""

from sqlmodel import select

from app.people.models import User
from app.spaces.models import Membership
from tests.factories import make_space, make_user
from tests.people.conftest import configure_sso


def _membership(session, space, email):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.exec(
        select(Membership)
        .join(User, User.id == Membership.user_id)  # type: ignore[arg-type]
        .where(Membership.space_id == space.id, User.email == email)
    ).first()


def test_groups_add_and_remove_space_memberships(
    client, session, sso, sso_sign_in, monkeypatch, login
) -> None:
    host = make_user(session, name="Hanna Host")
    sales = make_space(session, host=host, name="Sales DACH", visibility="private")
    eng = make_space(session, host=host, name="Engineering")
    configure_sso(
        monkeypatch,
        sso.issuer,
        AGORA_OIDC_SPACE_GROUPS=f"sales-dach={sales.slug}, eng={eng.slug}",
    )
    sso.add_person("u-mia", email="mia@example.com", name="Mia Meyer", groups=["sales-dach"])
    sso_sign_in(client, "u-mia")
    member = _membership(session, sales, "mia@example.com")
    assert member is not None and member.source == "provider" and member.joined_at
    assert _membership(session, eng, "mia@example.com") is None
    locked = "only its members can read"
    assert locked not in client.get(f"/spaces/{sales.slug}").text  # private, and Mia reads it

    members_page = login(host).get(f"/spaces/{sales.slug}/members").text
    mia_row = members_page.split("Mia Meyer")[1].split("</li>")[0]
    assert "From a company group" in mia_row

    sso.set_groups("u-mia", ["eng"])  # moved from sales to engineering
    sso_sign_in(client, "u-mia")
    assert _membership(session, sales, "mia@example.com") is None
    assert _membership(session, eng, "mia@example.com").source == "provider"  # type: ignore[union-attr]
    assert locked in client.get(f"/spaces/{sales.slug}").text


def test_leaving_a_group_keeps_a_membership_made_in_agora(
    client, session, sso, sso_sign_in, monkeypatch
) -> None:
    host = make_user(session)
    eng = make_space(session, host=host, name="Engineering")
    configure_sso(monkeypatch, sso.issuer, AGORA_OIDC_SPACE_GROUPS=f"eng={eng.slug}")
    sso.add_person("u-mia", email="mia@example.com", name="Mia", groups=[])
    sso_sign_in(client, "u-mia")
    assert client.form(f"/spaces/{eng.slug}/join").status_code in (200, 303)
    assert _membership(session, eng, "mia@example.com").source == ""  # type: ignore[union-attr]
    sso_sign_in(client, "u-mia")
    assert _membership(session, eng, "mia@example.com") is not None
