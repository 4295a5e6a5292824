"""Large CSV imports run in batches with a progress bar: asked for by htmx while the page is
open, by a button without JavaScript, and by the jobs runner in the background."""

import re

from sqlmodel import func, select

from app.jobs import run_jobs_once
from app.people import import_batches
from app.people.models import AuditEntry, Invitation, PeopleImport, User
from tests.factories import make_user

COUNT = import_batches.SMALL_IMPORT + 50  # 250 new people: three batches of 100


def _csv(count: int = COUNT, extra: str = "") -> str:
    lines = [f"p{n:04d}@example.com,Person {n:04d}" for n in range(count)]
    return "email,name\n" + "\n".join(lines) + "\n" + extra


def _people(session) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(User)).one()


def test_a_large_file_imports_in_batches_as_the_page_asks(session, login) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    client = login(boss)
    started = client.form("/admin/people/import/confirm", {"text": _csv()})
    assert started.status_code == 303, started.text
    url = started.headers["location"]
    job_id = int(url.rsplit("/", 1)[1])
    assert _people(session) == 1  # nothing yet: the confirmation only stored the checked file

    page = client.get(url)
    assert page.status_code == 200
    assert 'value="0"' in page.text and f'max="{COUNT}"' in page.text
    assert f'hx-post="/admin/people/import/{job_id}/next"' in page.text
    assert "<noscript>" in page.text  # without JavaScript: a button

    step = client.htmx("POST", f"{url}/next", target="import-progress")
    assert step.status_code == 200 and "<html" not in step.text
    assert f"100 of {COUNT} lines imported" in step.text
    assert _people(session) == 101
    client.htmx("POST", f"{url}/next", target="import-progress")
    done = client.htmx("POST", f"{url}/next", target="import-progress")
    assert f"{COUNT} of {COUNT} lines imported" in done.text
    assert "hx-post" not in done.text  # finished: the bar stops asking
    assert f"Done: {COUNT} people imported." in done.text
    links = re.findall(r'value="http://[^"]+/invite/([^"]+)"', done.text)
    assert len(links) == COUNT
    assert _people(session) == COUNT + 1
    assert session.exec(select(func.count()).select_from(Invitation)).one() == COUNT
    again = client.htmx("POST", f"{url}/next", target="import-progress")
    assert again.status_code == 200
    assert _people(session) == COUNT + 1  # a finished import does nothing more
    audit = session.exec(select(AuditEntry).where(AuditEntry.action == "user.import")).one()
    assert audit.target_id == job_id and audit.actor_id == boss.id
    stored = session.get(PeopleImport, job_id)
    assert stored is not None and all(links[0] not in str(row) for row in stored.invitations)


def test_without_javascript_a_button_or_the_jobs_runner_goes_on(session, login) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    client = login(boss)
    url = client.form("/admin/people/import/confirm", {"text": _csv()}).headers["location"]
    plain = client.form(f"{url}/next")
    assert (plain.status_code, plain.headers["location"]) == (303, url)
    assert "100 of" in client.get(url).text
    # Someone gets an account meanwhile: their line is skipped, not an error.
    make_user(session, name="Early Bird", email="p0150@example.com")
    assert run_jobs_once(["continue_people_imports"]) == {"continue_people_imports": 100}
    assert run_jobs_once(["continue_people_imports"]) == {"continue_people_imports": 50}
    assert run_jobs_once(["continue_people_imports"]) == {"continue_people_imports": 0}
    assert _people(session) == 1 + 1 + (COUNT - 1)  # the admin, the early bird, the rest
    finished = client.get(url).text
    assert f"Done: {COUNT - 1} people imported." in finished


def test_bad_lines_still_import_nobody_and_small_files_import_at_once(session, login) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    client = login(boss)
    bad = client.form("/admin/people/import/confirm", {"text": _csv(extra="not-an-email,X\n")})
    assert bad.status_code == 422
    assert session.exec(select(func.count()).select_from(PeopleImport)).one() == 0
    assert _people(session) == 1
    small = client.form("/admin/people/import/confirm", {"text": _csv(count=3)})
    assert small.status_code == 200 and "Imported 3 people" in small.text
    assert session.exec(select(func.count()).select_from(PeopleImport)).one() == 0


def test_only_admins_see_or_move_an_import(session, login) -> None:
    boss = make_user(session, admin=True, name="Anna Admin")
    url = login(boss).form("/admin/people/import/confirm", {"text": _csv()}).headers["location"]
    member = login(make_user(session, name="Max Member"))
    assert member.get(url).status_code in (403, 404)
    assert member.form(f"{url}/next").status_code in (403, 404)
    assert login(boss).get("/admin/people/import/999999").status_code == 404
    assert _people(session) == 2
