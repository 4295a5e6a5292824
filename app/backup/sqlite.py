"""SQLite: the online backup API, page by page, from one snapshot of a running database."""

import sqlite3
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import make_url

from app.backup.common import (
    BackupError,
    Report,
    TableCounts,
    move_into_place,
    progress_reporter,
    temporary_sibling,
)

SQLITE_HEADER = b"SQLite format 3\x00"
# 256 pages (1 MiB at SQLite's default 4 KiB) per step: small enough for steady progress lines.
PAGES_PER_STEP = 256


def database_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError(f"Cannot back up or restore {database_url}: it is not a database file.")
    return Path(database)


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    # Autocommit (isolation_level=None): transactions are opened exactly where this module says.
    if read_only:
        uri = f"file:{quote(str(path.resolve()))}?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    else:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def table_counts(conn: sqlite3.Connection) -> TableCounts:
    """Rows per table (SQLite's own sqlite_* tables left out, and the search index's FTS5 table
    and its shadow tables: they derive from search_documents and hold rows even when empty)."""
    names = sorted(
        name
        for (_schema, name, kind, *_rest) in conn.execute("PRAGMA main.table_list")
        if kind == "table" and not name.startswith("sqlite_")
    )
    quoted = {name: '"' + name.replace('"', '""') + '"' for name in names}
    return {
        name: conn.execute(f"SELECT count(*) FROM {quoted[name]}").fetchone()[0]  # noqa: S608 - names from the schema
        for name in names
    }


def schema_revision(conn: sqlite3.Connection) -> str | None:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'alembic_version'"
    ).fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """What `PRAGMA integrity_check` found (nothing: the database is sound)."""
    lines = [row[0] for row in conn.execute("PRAGMA integrity_check")]
    return [] if lines == ["ok"] else lines


def current_counts(database_url: str) -> TableCounts:
    path = database_path(database_url)
    if not path.exists():
        return {}
    conn = _connect(path, read_only=True)
    try:
        return table_counts(conn)
    finally:
        conn.close()


def backup(database_url: str, destination: Path, report: Report) -> tuple[str | None, TableCounts]:
    """Copy the database into `destination` while others keep writing; returns the schema
    revision and row counts of the copy, after checking its integrity."""
    source_path = database_path(database_url)
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}.")
    source = _connect(source_path)
    try:
        with temporary_sibling(destination) as partial:
            snapshot_counts = _copy(source, partial, report)
            revision, counts = _verify_copy(partial, report)
            if snapshot_counts is not None and snapshot_counts != counts:
                raise BackupError(
                    "The copy does not hold the rows of the snapshot it was made from."
                )
            move_into_place(partial, destination)
    finally:
        source.close()
    return revision, counts


def _copy(source: sqlite3.Connection, partial: Path, report: Report) -> TableCounts | None:
    """The backup API restarts whenever another connection writes to the source between two
    steps, so on a busy site a page-by-page copy could start over forever. In WAL mode (Agora's)
    a read transaction held across all steps pins one snapshot instead: writers go on appending
    to the WAL, the copy never restarts, and its counts can be taken inside the same snapshot.
    Without WAL a reader would block writers, so the copy is then made in one step."""
    wal = source.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    target = sqlite3.connect(partial, isolation_level=None)
    try:
        snapshot_counts = None
        if wal:
            source.execute("BEGIN")
            snapshot_counts = table_counts(source)  # also starts the read transaction
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        report(f"Copying {pages:,} pages ({pages * _page_size(source) / 1e6:,.1f} MB) ...")
        update = progress_reporter(report, "copied")
        started = time.monotonic()
        source.backup(
            target,
            pages=PAGES_PER_STEP if wal else -1,
            progress=lambda _status, remaining, total: update(total - remaining, total),
        )
        report(f"  copied in {time.monotonic() - started:.1f} s")
        if wal:
            source.execute("COMMIT")
        # The copy is a single self-contained file: no -wal/-shm files beside it.
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()
    return snapshot_counts


def _page_size(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA page_size").fetchone()[0])


def _verify_copy(path: Path, report: Report) -> tuple[str | None, TableCounts]:
    report("Checking the copy (PRAGMA integrity_check) ...")
    conn = _connect(path, read_only=True)
    try:
        problems = integrity_problems(conn)
        if problems:
            raise BackupError("The copy failed its integrity check: " + "; ".join(problems[:5]))
        return schema_revision(conn), table_counts(conn)
    finally:
        conn.close()


def inspect_backup(file: Path) -> tuple[str | None, TableCounts]:
    """The schema revision and row counts of a backup file, after making sure it is a sound
    SQLite database (its header, then `PRAGMA integrity_check`)."""
    with open(file, "rb") as f:
        header = f.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        hint = " (it is a PostgreSQL dump)" if header.startswith(b"PGDMP") else ""
        raise BackupError(f"{file} is not a SQLite database{hint}: nothing was restored.")
    try:
        conn = _connect(file, read_only=True)
        try:
            problems = integrity_problems(conn)
            if problems:
                raise BackupError(
                    f"{file} is damaged (integrity check: {'; '.join(problems[:5])}): "
                    "nothing was restored."
                )
            return schema_revision(conn), table_counts(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(
            f"{file} cannot be read as a SQLite database ({exc}): nothing was restored."
        ) from exc


def restore(database_url: str, file: Path, report: Report) -> None:
    """Replace the database's whole content by the backup's, page by page, then check it."""
    target_path = database_path(database_url)
    target_path.parent.mkdir(parents=True, exist_ok=True)
    source = _connect(file, read_only=True)
    target = _connect(target_path)
    try:
        pages = source.execute("PRAGMA page_count").fetchone()[0]
        report(f"Restoring {pages:,} pages into {target_path} ...")
        update = progress_reporter(report, "restored")
        source.backup(
            target,
            pages=PAGES_PER_STEP,
            progress=lambda _status, remaining, total: update(total - remaining, total),
        )
        report("Checking the restored database (PRAGMA integrity_check) ...")
        problems = integrity_problems(target)
        if problems:
            raise BackupError(
                "The restored database failed its integrity check: " + "; ".join(problems[:5])
            )
    finally:
        target.close()
        source.close()
