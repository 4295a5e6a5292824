"""`agora backup` and `agora restore` on the suite's engine (SQLite, or PostgreSQL with
AGORA_TEST_DATABASE_URL): backups are taken from the test database while it is written to,
and restored into a sibling database (a file beside it, or a second PostgreSQL database)."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session
from typer.testing import CliRunner

from app import cli as cli_module
from app.backup import postgres
from app.backup.common import BackupError, alembic_config, schema_history
from app.cli import cli
from app.core.config import get_settings
from app.core.db import get_engine
from app.people.avatars import set_avatar
from app.people.models import User
from app.posts.service import add_comment, create_post
from app.spaces.access import access_for
from app.spaces.models import Space
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_post, make_space, make_user
from tests.images.pictures import picture

runner = CliRunner()
ON_POSTGRESQL = TEST_DATABASE_URL.startswith("postgresql")
HEAD = schema_history().head


# -- helpers ------------------------------------------------------------------------------------


def _on_server(*statements: str) -> None:
    """Statements outside a transaction on the test database's server (CREATE DATABASE)."""
    admin = create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.execute(text(statement))
    admin.dispose()


@pytest.fixture
def sibling(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """sibling("name") -> the URL of a new, empty database beside the test database."""
    made: list[str] = []

    def _make(name: str) -> str:
        if not ON_POSTGRESQL:
            return f"sqlite:///{tmp_path / name}.db"
        database = f"{make_url(TEST_DATABASE_URL).database}_{name}"
        _on_server(
            f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)', f'CREATE DATABASE "{database}"'
        )
        made.append(database)
        return (
            make_url(TEST_DATABASE_URL).set(database=database).render_as_string(hide_password=False)
        )

    yield _make
    for database in made:
        _on_server(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@contextmanager
def cli_database(url: str) -> Iterator[None]:
    """Run the `agora` command against another database than the suite's."""
    previous = os.environ["AGORA_DATABASE_URL"]
    os.environ["AGORA_DATABASE_URL"] = url
    get_settings.cache_clear()
    try:
        yield
    finally:
        os.environ["AGORA_DATABASE_URL"] = previous
        get_settings.cache_clear()


def agora(*args: str, url: str | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
    if url is None:
        return runner.invoke(cli, list(args), input=input)
    with cli_database(url):
        return runner.invoke(cli, list(args), input=input)


def counts_of(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # Plain tables only: the search index's FTS5 tables derive from search_documents.
                names = conn.execute(
                    text(
                        "SELECT name FROM pragma_table_list "
                        "WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                ).scalars()
            else:
                names = conn.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
                    )
                ).scalars()
            return {
                n: conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar_one()
                for n in list(names)
            }
    finally:
        engine.dispose()


def query(url: str, sql: str) -> list[tuple]:  # type: ignore[type-arg]
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def migrate(url: str, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def set_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


class Writer(threading.Thread):
    """Writes posts, each with a comment on the previous post, through the services, one
    transaction at a time, until stopped; remembers every post whose transaction committed."""

    def __init__(self, author_id: int, space_id: int) -> None:
        super().__init__(daemon=True)
        self.author_id, self.space_id = author_id, space_id
        self.committed: list[int] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with Session(get_engine(), expire_on_commit=False) as session:
                author = session.get(User, self.author_id)
                space = session.get(Space, self.space_id)
                assert author is not None and space is not None
                while not self.stop.is_set():
                    post = create_post(
                        session, access=access_for(session, author, space), title="Busy", body="x"
                    )
                    if self.committed:
                        add_comment(session, user=author, post_id=self.committed[-1], body="y")
                    session.commit()
                    assert post.id is not None
                    self.committed.append(post.id)
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, more: int, timeout: float = 20.0) -> None:
        goal = len(self.committed) + more
        deadline = time.monotonic() + timeout
        while len(self.committed) < goal:
            assert self.error is None, self.error
            assert time.monotonic() < deadline, "the writer stopped writing"
            time.sleep(0.001)


@pytest.fixture
def writer(session: Session) -> Iterator[Writer]:
    author = make_user(session, name="Writer")
    space = make_space(session, host=author)
    assert author.id is not None and space.id is not None
    thread = Writer(author.id, space.id)
    thread.start()
    yield thread
    thread.stop.set()
    thread.join(timeout=30)


# -- the round trip under load --------------------------------------------------------------------


def test_backup_while_writes_go_on_restores_a_consistent_snapshot(
    writer: Writer, sibling, tmp_path, monkeypatch
):
    """Every progress line of the backup waits for the writer to commit two more transactions,
    so writes certainly land during the copy (SQLite: between its steps; PostgreSQL: while
    pg_dump runs). The restored database must hold exactly one moment of the site."""
    monkeypatch.setattr("app.backup.sqlite.PAGES_PER_STEP", 4)
    progress_lines: list[str] = []

    def slow_progress(line: str) -> None:
        if not writer.stop.is_set():  # the backup's lines, not the restore's
            progress_lines.append(line)
            writer.wait_for(2)

    monkeypatch.setattr(cli_module, "_progress", slow_progress)
    writer.wait_for(20)
    committed_before = list(writer.committed)
    file = tmp_path / "backups" / "agora.backup"

    result = agora("backup", str(file))
    committed_during = len(writer.committed) - len(committed_before)
    writer.stop.set()
    writer.join(timeout=30)

    assert result.exit_code == 0, result.output
    assert writer.error is None
    assert committed_during >= 2 * len(progress_lines) >= 10
    assert "Backup written to" in result.output
    manifest = json.loads((file.parent / "agora.backup.json").read_text())
    assert manifest["alembic_revision"] == HEAD
    assert manifest["tables"]["posts"] >= len(committed_before)
    # No partial file left behind: the backup, its manifest and the uploaded files, nothing else.
    assert sorted(p.name for p in file.parent.iterdir()) == [
        "agora.backup",
        "agora.backup.json",
        "agora.backup.uploads.tar",
    ]
    for written in file.parent.iterdir():  # password hashes inside: for the owner's eyes only
        assert written.stat().st_mode & 0o077 == 0

    target = sibling("restored")
    restored = agora("restore", str(file), url=target)
    assert restored.exit_code == 0, restored.output
    assert "every table's row count equal to the backup's" in restored.output

    counts = counts_of(target)
    assert counts == manifest["tables"]
    post_ids = {row[0] for row in query(target, "SELECT id FROM posts")}
    assert set(committed_before) <= post_ids  # everything committed before the backup began
    assert post_ids <= set(writer.committed)  # and nothing that never committed
    assert len(post_ids) < len(writer.committed)  # a snapshot, not the end state
    # One moment: each post's comment count matches its comments (both written in one
    # transaction), and the comments sit on the posts committed just before theirs.
    torn = query(
        target,
        "SELECT p.id FROM posts p LEFT JOIN comments c ON c.post_id = p.id "
        "GROUP BY p.id, p.comment_count HAVING count(c.id) <> p.comment_count",
    )
    assert torn == []
    assert counts["comments"] == counts["posts"] - 1
    assert query(target, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    if not ON_POSTGRESQL:
        with sqlite3.connect(make_url(target).database) as conn:  # type: ignore[arg-type]
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        conn.close()


# -- restore refuses, replaces, checks ------------------------------------------------------------


@pytest.fixture
def backup_file(session: Session, tmp_path: Path) -> Path:
    """A backup of the test database holding one person."""
    make_user(session, name="Ada")
    file = tmp_path / "one-person.backup"
    result = agora("backup", str(file))
    assert result.exit_code == 0, result.output
    return file


def test_restore_fills_a_migrated_but_empty_database(backup_file, sibling):
    target = sibling("migrated")
    migrate(target)
    result = agora("restore", str(backup_file), url=target)
    assert result.exit_code == 0, result.output
    assert query(target, "SELECT display_name FROM users") == [("Ada",)]


def test_restore_refuses_a_database_that_holds_data(backup_file, session):
    space_host = make_user(session, name="Grace")
    make_post(session, author=space_host, space=make_space(session, host=space_host))
    before = counts_of(TEST_DATABASE_URL)

    result = agora("restore", str(backup_file))

    assert result.exit_code == 1
    assert "Refusing to restore: the database already holds" in result.output
    assert "Nothing was changed" in result.output and "--force" in result.output
    assert counts_of(TEST_DATABASE_URL) == before


def test_force_says_what_it_replaces_and_asks(backup_file, session, sibling, tmp_path):
    for name in ("Grace", "Linus"):
        make_user(session, name=name)
    bigger = tmp_path / "three-people.backup"
    assert agora("backup", str(bigger)).exit_code == 0
    target = sibling("forced")
    assert agora("restore", str(bigger), url=target).exit_code == 0

    declined = agora("restore", "--force", str(backup_file), url=target, input="n\n")
    assert declined.exit_code != 0
    assert "--force: this replaces everything in" in declined.output
    assert "users" in declined.output and "3 rows" in declined.output
    assert "Replace it with" in declined.output
    assert len(query(target, "SELECT id FROM users")) == 3

    confirmed = agora("restore", "--force", str(backup_file), url=target, input="y\n")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Replaced" in confirmed.output
    assert query(target, "SELECT display_name FROM users") == [("Ada",)]

    unasked = agora("restore", "--force", "--yes", str(bigger), url=target)
    assert unasked.exit_code == 0, unasked.output
    assert "Replace it with" not in unasked.output
    assert "users" in unasked.output  # still says what it replaced
    assert len(query(target, "SELECT id FROM users")) == 3


def test_restore_migrates_an_older_backup(sibling, tmp_path):
    old = sibling("old")
    migrate(old, "0005_recognition")  # before the protocols' five tables
    file = tmp_path / "old.backup"
    assert agora("backup", str(file), url=old).exit_code == 0

    target = sibling("new")
    result = agora("restore", str(file), url=target)
    assert result.exit_code == 0, result.output
    assert f"Migrated the schema from 0005_recognition to {HEAD}" in result.output
    assert query(target, "SELECT version_num FROM alembic_version") == [(HEAD,)]

    # Over a newer schema holding data: its tables the backup lacks go too, so the
    # migrations find the schema of the backup's day.
    engine = create_engine(target)
    with Session(engine) as target_session:
        make_user(target_session, name="Replaced")
    engine.dispose()
    again = agora("restore", "--force", "--yes", str(file), url=target)
    assert again.exit_code == 0, again.output
    assert f"Migrated the schema from 0005_recognition to {HEAD}" in again.output
    assert "users" in again.output  # what it replaced
    assert counts_of(target)["protocols"] == 0
    assert counts_of(target)["users"] == 0


def test_restore_does_not_need_the_manifest(backup_file, sibling):
    (backup_file.parent / f"{backup_file.name}.json").unlink()
    target = sibling("target")
    result = agora("restore", str(backup_file), url=target)
    assert result.exit_code == 0, result.output
    assert query(target, "SELECT display_name FROM users") == [("Ada",)]


def test_a_manifest_of_another_file_is_ignored(backup_file, session, sibling, tmp_path):
    make_user(session, name="Grace")
    other = tmp_path / "other.backup"
    assert agora("backup", str(other)).exit_code == 0
    manifest = backup_file.parent / f"{backup_file.name}.json"
    manifest.write_text((tmp_path / "other.backup.json").read_text())
    target = sibling("target")
    result = agora("restore", str(backup_file), url=target)
    assert result.exit_code == 0, result.output
    assert "describes a different file" in result.output


def test_restore_refuses_a_backup_from_a_newer_agora(sibling, tmp_path):
    newer = sibling("newer")
    migrate(newer)
    set_revision(newer, "0099_from_the_future")
    file = tmp_path / "newer.backup"
    assert agora("backup", str(file), url=newer).exit_code == 0

    target = sibling("target")
    result = agora("restore", str(file), url=target)
    assert result.exit_code == 1
    assert "'0099_from_the_future', which this version of Agora does not know" in result.output
    assert "upgrade Agora first" in result.output
    assert counts_of(target) == {}


# -- files that are not backups -------------------------------------------------------------------


def test_a_file_that_is_no_backup_is_refused(sibling, tmp_path):
    target = sibling("target")
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    result = agora("restore", str(text_file), url=target)
    assert result.exit_code == 1
    kind = "pg_dump custom-format archive" if ON_POSTGRESQL else "SQLite database"
    assert f"is not a {kind}: nothing was restored" in result.output
    missing = agora("restore", str(tmp_path / "nowhere.backup"), url=target)
    assert missing.exit_code == 1
    assert "There is no backup file" in missing.output
    assert counts_of(target) == {}


def test_a_damaged_backup_is_refused(backup_file, sibling, tmp_path):
    damaged = tmp_path / "damaged.backup"
    data = bytearray(backup_file.read_bytes())
    if ON_POSTGRESQL:
        data = data[: len(data) * 2 // 3]  # cut off: the table of contents survives, data not
    else:
        # A page in use (the people table's root): the test database's middle may be free
        # pages after the tests before this one, and no check reads what a free page holds.
        with closing(sqlite3.connect(backup_file)) as conn:
            users = "SELECT rootpage FROM sqlite_master WHERE name = 'users'"
            root = conn.execute(users).fetchone()[0]
            size = conn.execute("PRAGMA page_size").fetchone()[0]
        start = (root - 1) * size
        data[start : start + size] = b"\xa5" * size
    damaged.write_bytes(bytes(data))
    target = sibling("target")
    result = agora("restore", str(damaged), url=target)
    assert result.exit_code == 1
    assert "nothing was restored" in result.output or "cannot read" in result.output
    assert counts_of(target) == {}


@pytest.mark.skipif(not ON_POSTGRESQL, reason="psql and pg_restore")
def test_a_restore_that_fails_half_way_changes_nothing(backup_file, session, sibling, tmp_path):
    """The dump's data breaks off in the middle (checked before a restore, so the step itself
    is called here): the target keeps its tables and rows."""
    target = sibling("target")
    assert agora("restore", str(backup_file), url=target).exit_code == 0
    before = counts_of(target)
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(backup_file.read_bytes()[: backup_file.stat().st_size * 2 // 3])
    lines: list[str] = []
    with pytest.raises(BackupError, match="rolled back, nothing was changed"):
        postgres.restore(target, truncated, lines.append, postgres.dump_tables(backup_file))
    assert before["users"] == 1  # so the DROP of every table went first, and was undone
    assert counts_of(target) == before


@pytest.mark.skipif(ON_POSTGRESQL, reason="a SQLite file of another application")
def test_a_sqlite_database_of_another_application_is_refused(tmp_path):
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO recipes (name) VALUES ('bread')")
    conn.close()
    result = agora("restore", str(foreign), url=f"sqlite:///{tmp_path / 'target.db'}")
    assert result.exit_code == 1
    assert "it is not a backup of an Agora database" in result.output


# -- PostgreSQL tools -----------------------------------------------------------------------------


def test_a_missing_pg_dump_is_a_clear_error(tmp_path):
    """Whatever the suite's engine: a PostgreSQL URL with no client tools to reach it."""
    empty = tmp_path / "bin"
    empty.mkdir()
    env = {
        **os.environ,
        "AGORA_DATABASE_URL": "postgresql+psycopg://agora:secret@127.0.0.1:9/agora",
        "AGORA_PG_BIN": str(empty),
        "PATH": str(empty),
    }
    result = subprocess.run(
        [str(Path(sys.executable).parent / "agora"), "backup", str(tmp_path / "x.dump")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert f"pg_dump was not found in AGORA_PG_BIN ({empty})" in result.stderr
    assert "apt-get install postgresql-client" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.dump").exists()


def test_tools_are_looked_up_on_path_when_agora_pg_bin_is_unset(tmp_path, monkeypatch):
    folder = tmp_path / "bin"
    folder.mkdir()
    tool = folder / "pg_restore"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    monkeypatch.delenv("AGORA_PG_BIN", raising=False)
    monkeypatch.setenv("PATH", str(folder))
    assert postgres.find_tool("pg_restore") == tool
    monkeypatch.setattr(postgres.glob, "glob", lambda _pattern: [])
    with pytest.raises(BackupError, match="pg_dump was not found on PATH"):
        postgres.find_tool("pg_dump")


def test_the_password_travels_in_the_environment_not_the_command_line():
    conninfo, env = postgres.libpq_target(
        "postgresql+psycopg://ag%20ora:p%40ss'word@db.internal:5433/agora?sslmode=require"
    )
    assert "p@ss" not in conninfo
    assert env["PGPASSWORD"] == "p@ss'word"
    assert (
        conninfo == "sslmode='require' host='db.internal' port='5433' user='ag ora' dbname='agora'"
    )


def test_pictures_travel_with_the_backup(session, sibling, tmp_path):
    # Profile pictures live in the database (app.images), so the backup holds them byte for byte.
    ada = make_user(session, name="Ada")
    set_avatar(session, user=ada, raw=picture())
    session.commit()
    stored = query(TEST_DATABASE_URL, "SELECT width, data FROM stored_images ORDER BY width")
    file = tmp_path / "pictures.backup"
    assert agora("backup", str(file)).exit_code == 0
    target = sibling("pictures")
    migrate(target)

    assert agora("restore", str(file), url=target).exit_code == 0

    restored = query(target, "SELECT width, data FROM stored_images ORDER BY width")
    assert [(w, bytes(d)) for w, d in restored] == [(w, bytes(d)) for w, d in stored]
    assert len(restored) == 2
