"""The backup and restore procedures, the same for both engines; the engines differ below."""

import time
from collections.abc import Callable
from pathlib import Path

from app.backup import postgres, sqlite
from app.backup.common import (
    BOOKKEEPING_TABLES,
    BackupError,
    BackupResult,
    Report,
    RestoreResult,
    TableCounts,
    check_revision,
    compare_counts,
    describe_counts,
    holds_data,
    migrate_to_head,
    read_manifest,
    write_manifest,
)


def _engine_name(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        return "sqlite"
    if database_url.startswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {database_url.split(':')[0]}.")


def backup_database(database_url: str, file: Path, *, report: Report) -> BackupResult:
    """Write a consistent backup of the running database to `file` (replaced atomically) and
    its manifest to `<file>.json`, after verifying the copy."""
    engine = _engine_name(database_url)
    started = time.monotonic()
    if file.is_dir():
        raise BackupError(f"{file} is a folder: name the backup file.")
    if engine == "sqlite":
        revision, counts = sqlite.backup(database_url, file, report)
    else:
        revision, counts = postgres.backup(database_url, file, report)
    manifest = write_manifest(file, engine=engine, revision=revision, counts=counts)
    return BackupResult(
        path=file,
        manifest_path=manifest,
        engine=engine,
        revision=revision,
        counts=counts,
        size=file.stat().st_size,
        seconds=time.monotonic() - started,
    )


def restore_database(
    database_url: str,
    file: Path,
    *,
    force: bool,
    confirm: Callable[[TableCounts], bool],
    report: Report,
) -> RestoreResult:
    """Fill an empty database (none, or migrated without rows) from a backup; replace one that
    holds data only with `force` and after `confirm(current row counts)` said yes. The result is
    checked against the backup's row counts, then migrated when the backup is older."""
    engine = _engine_name(database_url)
    started = time.monotonic()
    if not file.is_file():
        raise BackupError(f"There is no backup file {file}.")
    notes: list[str] = []
    manifest = read_manifest(file, notes.append)
    if manifest is not None and manifest.engine != engine:
        raise BackupError(
            f"{file} is a {manifest.engine} backup, but this database is {engine}: "
            "a backup can only be restored into the same kind of database."
        )

    report(f"Checking {file} ...")
    dump_tables: set[str] = set()
    if engine == "sqlite":
        revision, expected = sqlite.inspect_backup(file)
        if manifest is not None and compare_counts(manifest.counts, expected):
            notes.append(f"{file.name}.json lists other row counts than the file; the file wins.")
    else:
        revision, dump_tables = postgres.inspect_backup(file)
        if manifest is not None:
            expected = manifest.counts
        else:
            report("No manifest beside the dump: counting its rows ...")
            expected = postgres.count_rows_in_dump(file)
    history = check_revision(revision, source=str(file))

    current = (sqlite if engine == "sqlite" else postgres).current_counts(database_url)
    if holds_data(current):
        if not force:
            rows = sum(n for t, n in current.items() if t not in BOOKKEEPING_TABLES)
            raise BackupError(
                f"Refusing to restore: the database already holds {rows:,} rows, the most in\n"
                + "\n".join(describe_counts(current, largest=5))
                + "\nNothing was changed. Restore into an empty database (or a new file), or "
                "pass --force to replace this one."
            )
        if not confirm(current):
            raise BackupError("Restore cancelled: nothing was changed.")

    if engine == "sqlite":
        sqlite.restore(database_url, file, report)
    else:
        postgres.restore(database_url, file, report, dump_tables)

    report("Comparing row counts with the backup's ...")
    restored = (sqlite if engine == "sqlite" else postgres).current_counts(database_url)
    problems = compare_counts(expected, restored)
    if problems:
        raise BackupError(
            "The restored database does not match the backup:\n  " + "\n  ".join(problems)
        )
    migrated_to = None
    if revision != history.head:
        report(f"The backup has schema {revision}; migrating to {history.head} ...")
    # Always: a restored SQLite file carries the statistics of its day, a fresh PostgreSQL
    # restore none at all; both planners should know the tables' sizes before the first page.
    migrate_to_head(database_url)
    if revision != history.head:
        migrated_to = history.head
    return RestoreResult(
        path=file,
        engine=engine,
        revision=revision,
        counts=restored,
        replaced=current if holds_data(current) else {},
        migrated_to=migrated_to,
        seconds=time.monotonic() - started,
        notes=notes,
    )
