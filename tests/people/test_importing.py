"""Bulk import of people from CSV: the service and `agora users import`."""

import html
from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from app.cli import cli
from app.people.importing import check_people_csv, import_people_csv
from app.people.models import Invitation, SiteRole, User
from tests.factories import make_user

GOOD = """email,name,title,department,locale,admin
mia@example.com,Mia Meyer,Engineer,R&D,de,no
Olaf@Example.com,Olaf Olsen,,,en,yes
"""


def test_good_lines_create_people_with_an_invitation_each(session) -> None:
    report = import_people_csv(session, GOOD)
    session.commit()
    assert report.ok and report.applied
    mia = session.exec(select(User).where(User.email == "mia@example.com")).one()
    olaf = session.exec(select(User).where(User.email == "olaf@example.com")).one()
    assert (mia.title, mia.department, mia.locale, mia.site_role) == (
        "Engineer",
        "R&D",
        "de",
        SiteRole.member,
    )
    assert olaf.site_role == SiteRole.admin
    assert mia.password_hash is None
    assert len(session.exec(select(Invitation)).all()) == 2
    assert all(line.invitation for line in report.new)


def test_semicolons_and_a_byte_order_mark_are_understood(session) -> None:
    report = import_people_csv(session, "\ufeffName;Email\nMia Meyer;mia@example.com\n")
    assert report.ok and [line.email for line in report.new] == ["mia@example.com"]


def test_one_bad_line_imports_nobody_and_each_error_names_its_line(session) -> None:
    make_user(session, email="ben@example.com")
    text = (
        "email,name,locale,admin\n"
        "mia@example.com,Mia,de,no\n"
        "not-an-email,Nobody,,\n"
        "olaf@example.com,,,\n"
        "mia@example.com,Mia Again,,\n"
        "ben@example.com,Ben,,\n"
        "zoe@example.com,Zoe,fr,maybe\n"
    )
    report = import_people_csv(session, text)
    session.commit()
    errors = {line.line: line.errors for line in report.lines if line.errors}
    assert errors == {
        3: ["Enter a valid email address"],
        4: ["The name is missing"],
        5: ["The same email as line 2"],
        7: ["The locale must be de or en", "The admin column must be yes or no"],
    }
    assert [line.exists for line in report.lines if line.line == 6] == [True]
    assert not report.applied
    assert session.exec(select(User.email)).all() == ["ben@example.com"]


def test_a_value_the_account_rules_refuse_rolls_back_every_line(session) -> None:
    text = f"email,name\nmia@example.com,Mia\nolaf@example.com,{'O' * 81}\n"
    report = import_people_csv(session, text)
    session.commit()
    assert not report.ok and not report.applied
    assert session.exec(select(User)).first() is None
    assert session.exec(select(Invitation)).first() is None


def test_a_file_without_the_required_columns_is_refused(session) -> None:
    report = check_people_csv(session, "mail,fullname\na@example.com,A\n")
    assert not report.ok
    assert "email and name" in report.problems[0]


def test_the_command_checks_imports_and_prints_the_links(session, tmp_path: Path) -> None:
    make_user(session, email="ben@example.com")
    file = tmp_path / "people.csv"
    file.write_text(GOOD + "ben@example.com,Ben,,,,\n")
    runner = CliRunner()
    dry = runner.invoke(cli, ["users", "import", str(file), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 new, 1 already have an account" in dry.output
    session.expire_all()
    assert len(session.exec(select(User)).all()) == 1

    done = runner.invoke(cli, ["users", "import", str(file)])
    assert done.exit_code == 0, done.output
    assert "mia@example.com\thttp://testserver/invite/" in done.output
    session.expire_all()
    assert len(session.exec(select(User)).all()) == 3


def test_the_command_reports_bad_lines_and_fails(session, tmp_path: Path) -> None:
    file = tmp_path / "people.csv"
    file.write_text("email,name\nnope,Nobody\n")
    result = CliRunner().invoke(cli, ["users", "import", str(file)])
    assert result.exit_code == 1
    assert "line 2 (nope): Enter a valid email address" in result.output
    assert "Nothing was imported" in result.output
    missing = CliRunner().invoke(cli, ["users", "import", str(tmp_path / "missing.csv")])
    assert missing.exit_code == 1


def _upload(client, content: bytes):  # type: ignore[no-untyped-def]
    return client.post(
        "/admin/people/import",
        data={"csrf_token": client.csrf},
        files={"file": ("people.csv", content, "text/csv")},
    )


def test_an_admin_previews_then_imports_a_file(session, login) -> None:
    boss = make_user(session, admin=True)
    client = login(boss)
    preview = _upload(client, GOOD.encode())
    assert preview.status_code == 200
    assert "2 new people" in preview.text and "Import 2 people" in preview.text
    assert session.exec(select(User)).all() == [boss]  # nothing imported yet
    text = preview.text.split('name="text" value="')[1].split('"')[0]
    done = client.form("/admin/people/import/confirm", {"text": html.unescape(text)})
    assert done.status_code == 200
    assert "Imported 2 people" in done.text
    assert "http://testserver/invite/" in done.text
    assert len(session.exec(select(User)).all()) == 3


def test_a_bad_file_shows_each_line_error_and_imports_nobody(session, login) -> None:
    client = login(make_user(session, admin=True))
    preview = _upload(client, b"email,name\nnope,Nobody\nmia@example.com,Mia\n")
    assert preview.status_code == 422
    assert "Enter a valid email address" in preview.text
    assert "nobody is imported" in preview.text and "Import 1 person" not in preview.text
    assert _upload(client, "email,name\n\xe9,x\n".encode("latin-1")).status_code == 422
    assert _upload(client, b"x" * 1_000_001).status_code == 422
    forced = client.form("/admin/people/import/confirm", {"text": "email,name\nnope,N\n"})
    assert forced.status_code == 422
    assert len(session.exec(select(User)).all()) == 1


def test_members_cannot_import(session, login) -> None:
    client = login(make_user(session))
    assert _upload(client, GOOD.encode()).status_code == 403
    assert client.form("/admin/people/import/confirm", {"text": GOOD}).status_code == 403
