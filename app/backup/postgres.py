"""PostgreSQL: pg_dump's custom format from an exported snapshot, pg_restore in one transaction."""

import contextlib
import glob
import os
import re
import shutil
import subprocess
import tempfile
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, make_url, text

from app.backup.common import (
    BackupError,
    Report,
    TableCounts,
    move_into_place,
    temporary_sibling,
)

INSTALL_HINT = (
    "Install the PostgreSQL client tools of your server's major version or newer "
    "(Debian/Ubuntu: apt-get install postgresql-client; Alpine: apk add postgresql-client; "
    "macOS: brew install libpq), or set AGORA_PG_BIN to the folder that holds {tool}."
)
PG_DUMP_MAGIC = b"PGDMP"


def find_tool(tool: str) -> Path:
    """pg_dump or pg_restore: from AGORA_PG_BIN when set (and only there), else on PATH, else
    the newest /usr/lib/postgresql/<version>/bin (Debian's layout, often not on PATH)."""
    explicit = os.environ.get("AGORA_PG_BIN")
    if explicit:
        candidate = Path(explicit) / tool
        if os.access(candidate, os.X_OK):
            return candidate
        raise BackupError(
            f"{tool} was not found in AGORA_PG_BIN ({explicit}). " + INSTALL_HINT.format(tool=tool)
        )
    on_path = shutil.which(tool)
    if on_path:
        return Path(on_path)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
    for folder in versions:
        candidate = Path(folder) / tool
        if os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{tool} was not found on PATH. " + INSTALL_HINT.format(tool=tool))


def _version_key(folder: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder)) or (0,)


def _libpq_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def libpq_target(database_url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection string without the password, and the environment carrying it
    (PGPASSWORD): a password on the command line is visible to every user in `ps`."""
    url = make_url(database_url)
    params: dict[str, str] = {}
    for key, option in url.query.items():
        params[key] = option if isinstance(option, str) else option[0]
    for key, value in (("host", url.host), ("port", url.port), ("user", url.username)):
        if value is not None:
            params[key] = str(value)
    params["dbname"] = url.database or ""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    return " ".join(f"{key}={_libpq_value(value)}" for key, value in params.items()), env


def _engine(database_url: str) -> Engine:
    from app.core.db import make_engine

    return make_engine(database_url, pool_size=1, max_overflow=0)


def _tables(conn: Connection) -> list[str]:
    return list(
        conn.execute(
            text(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' "
                "ORDER BY table_name"
            )
        ).scalars()
    )


def _table_counts(conn: Connection) -> TableCounts:
    quote = conn.dialect.identifier_preparer.quote
    return {
        name: conn.execute(text(f"SELECT count(*) FROM {quote(name)}")).scalar_one()  # noqa: S608 - names from the catalog
        for name in _tables(conn)
    }


def _schema_revision(conn: Connection, tables: TableCounts) -> str | None:
    if "alembic_version" not in tables:
        return None
    return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def current_counts(database_url: str) -> TableCounts:
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            return _table_counts(conn)
    finally:
        engine.dispose()


def _run(
    command: list[str],
    env: dict[str, str],
    report: Report,
    progress: re.Pattern[str],
    what: str,
    total: int,
) -> None:
    """Run a pg tool with --verbose, turning its "table X" lines into progress and keeping the
    rest of its output for the error message."""
    recent: deque[str] = deque(maxlen=20)
    errors: deque[str] = deque(maxlen=20)
    done = 0
    with subprocess.Popen(  # noqa: S603 - a fixed tool with arguments we built
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    ) as process:
        assert process.stderr is not None
        for line in process.stderr:
            match = progress.search(line)
            if match:
                done += 1
                report(f"  {what} {match.group(1)} ({done} of {total} tables)")
            else:
                recent.append(line.rstrip())
                if "error" in line.lower():
                    errors.append(line.rstrip())
    if process.wait() != 0:
        details = "\n".join(errors or recent) or "(no output)"
        raise BackupError(
            f"{Path(command[0]).name} failed (exit code {process.returncode}):\n{details}"
        )


def backup(database_url: str, destination: Path, report: Report) -> tuple[str | None, TableCounts]:
    """pg_dump in the custom format. The dump and the row counts come from one snapshot: this
    connection exports it (REPEATABLE READ) and pg_dump adopts it with --snapshot, so both see
    exactly the same committed transactions while the site goes on writing."""
    pg_dump = find_tool("pg_dump")
    find_tool("pg_restore")  # needed to verify the dump: fail before the work, not after
    conninfo, env = libpq_target(database_url)
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                counts = _table_counts(conn)
                revision = _schema_revision(conn, counts)
                report(
                    f"Dumping {len(counts)} tables ({sum(counts.values()):,} rows) "
                    f"with {pg_dump} ..."
                )
                with temporary_sibling(destination) as partial:
                    _run(
                        [
                            str(pg_dump),
                            "--format=custom",
                            "--verbose",
                            f"--snapshot={snapshot}",
                            f"--file={partial}",
                            f"--dbname={conninfo}",
                        ],
                        env,
                        report,
                        re.compile(r'dumping contents of table "?([^"\s]+)"?'),
                        "dumped",
                        len(counts),
                    )
                    conn.rollback()  # pg_dump has its data: the snapshot may go
                    verify_dump(partial, counts, report)
                    move_into_place(partial, destination)
    finally:
        engine.dispose()
    return revision, counts


def verify_dump(file: Path, expected: TableCounts, report: Report) -> None:
    """pg_restore can read the archive's table of contents, and its data holds as many rows
    per table as were counted in the snapshot."""
    report("Verifying the dump (pg_restore --list, then its rows per table) ...")
    listed = dump_tables(file)
    missing = sorted(set(expected) - listed)
    if missing:
        raise BackupError(f"The dump lacks the data of: {', '.join(missing)}.")
    in_dump = count_rows_in_dump(file)
    problems = [
        f"{table}: {expected[table]:,} rows counted, {in_dump.get(table, 0):,} in the dump"
        for table in sorted(expected)
        if in_dump.get(table, 0) != expected[table]
    ]
    if problems:
        raise BackupError("The dump does not match the snapshot: " + "; ".join(problems))


def dump_tables(file: Path) -> set[str]:
    """The tables whose data the archive holds (its "TABLE DATA" entries); refuses a file that
    is not a pg_dump custom-format archive."""
    with open(file, "rb") as f:
        magic = f.read(len(PG_DUMP_MAGIC))
    if magic != PG_DUMP_MAGIC:
        hint = " (it is a SQLite database)" if magic == b"SQLit" else ""
        raise BackupError(
            f"{file} is not a pg_dump custom-format archive{hint}: nothing was restored."
        )
    result = subprocess.run(  # noqa: S603 - a fixed tool with arguments we built
        [str(find_tool("pg_restore")), "--list", str(file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read {file}: {result.stderr.strip()}")
    tables = set()
    for line in result.stdout.splitlines():
        # e.g. "3456; 0 16390 TABLE DATA public posts agora"
        match = re.search(r"\bTABLE DATA (\S+) (\S+) ", line)
        if match and not line.startswith(";"):
            tables.add(match.group(2))
    return tables


def _copy_blocks(file: Path, *extra: str) -> Iterator[tuple[str, Iterator[str]]]:
    """The archive's data as pg_restore writes it in SQL: a `COPY table (...) FROM stdin;` line,
    one line per row (COPY's text format escapes newlines), and a `\\.` line."""
    with tempfile.TemporaryFile("w+") as errors:
        with subprocess.Popen(  # noqa: S603 - a fixed tool with arguments we built
            [str(find_tool("pg_restore")), "--data-only", "--file=-", *extra, str(file)],
            stdout=subprocess.PIPE,
            stderr=errors,
            encoding="utf-8",
            errors="replace",
        ) as process:
            assert process.stdout is not None
            copy_line = re.compile(r"^COPY (?:[^ .]+\.)?\"?([^\" (]+)\"? ")
            lines = iter(process.stdout)

            def rows() -> Iterator[str]:
                for row in lines:
                    if row == "\\.\n":
                        return
                    yield row

            try:
                for line in lines:
                    match = copy_line.match(line)
                    if match:
                        yield match.group(1), rows()
                returncode = process.wait()
            finally:
                # A caller may stop early (it found what it looked for): stop the tool too.
                if process.poll() is None:
                    process.kill()
        if returncode != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore cannot read the data in {file}: {errors.read().strip()}")


def count_rows_in_dump(file: Path) -> TableCounts:
    counts: TableCounts = {}
    for table, rows in _copy_blocks(file):
        counts[table] = sum(1 for _row in rows)
    return counts


def dump_revision(file: Path) -> str | None:
    """The alembic_version row inside a dump."""
    for table, rows in _copy_blocks(file, "--table=alembic_version"):
        if table == "alembic_version":
            values = [row.rstrip("\n") for row in rows]
            return values[0] if values else None
    return None


def inspect_backup(file: Path) -> tuple[str | None, set[str]]:
    """The schema revision of a dump and the tables it holds."""
    tables = dump_tables(file)
    return dump_revision(file), tables


def restore(database_url: str, file: Path, report: Report, tables: set[str]) -> None:
    """Replace every table of the database's schema by the dump's, in ONE transaction: psql
    runs the target's `DROP TABLE ... CASCADE` and pg_restore's script (--no-owner
    --no-privileges) with --single-transaction and ON_ERROR_STOP, so any error leaves the
    database as it was. (pg_restore --clean alone cannot do this for a target with a newer
    schema: it only drops what the dump knows, and the newer tables and foreign keys block it.)"""
    pg_restore, psql = find_tool("pg_restore"), find_tool("psql")
    conninfo, env = libpq_target(database_url)
    engine = _engine(database_url)
    try:
        with engine.connect() as conn:
            quote = conn.dialect.identifier_preparer.quote
            current = [quote(name) for name in _tables(conn)]
    finally:
        engine.dispose()
    report(f"Restoring {len(tables)} tables with {pg_restore} and {psql} (one transaction) ...")
    copy_line = re.compile(r"^COPY (?:[^ .]+\.)?\"?([^\" (]+)\"? ")
    done = 0
    with (
        tempfile.TemporaryFile("w+") as restore_errors,
        tempfile.TemporaryFile("w+") as psql_errors,
        subprocess.Popen(  # noqa: S603 - a fixed tool with arguments we built
            [
                str(psql),
                "--no-psqlrc",
                "--quiet",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--dbname={conninfo}",
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=psql_errors,
            encoding="utf-8",
            errors="surrogateescape",
        ) as sink,
        subprocess.Popen(  # noqa: S603 - a fixed tool with arguments we built
            [str(pg_restore), "--no-owner", "--no-privileges", "--file=-", str(file)],
            stdout=subprocess.PIPE,
            stderr=restore_errors,
            encoding="utf-8",
            errors="surrogateescape",
        ) as source,
    ):
        assert sink.stdin is not None and source.stdout is not None
        try:
            if current:
                sink.stdin.write(f"DROP TABLE IF EXISTS {', '.join(current)} CASCADE;\n")
            for line in source.stdout:
                match = copy_line.match(line)
                if match:
                    done += 1
                    report(f"  restoring {match.group(1)} ({done} of {len(tables)} tables)")
                sink.stdin.write(line)
            source_failed = source.wait() != 0
            if source_failed:
                # At the end of its input psql would commit what it got: it must not get there.
                sink.kill()
                sink.wait()
                with contextlib.suppress(BrokenPipeError):
                    sink.stdin.close()
            else:
                sink.stdin.close()
        except BrokenPipeError:  # psql stopped at an error: its message says which
            source_failed = False
            source.kill()
            with contextlib.suppress(BrokenPipeError):
                sink.stdin.close()
        sink_failed = sink.wait() != 0
        if source_failed or sink_failed:
            restore_errors.seek(0)
            psql_errors.seek(0)
            details = (restore_errors.read() if source_failed else psql_errors.read()).strip()
            raise BackupError(
                f"The restore failed and was rolled back, nothing was changed:\n{details}"
            )
