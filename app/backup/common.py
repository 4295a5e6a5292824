"""What both engines share: errors, results, the manifest, schema revisions, emptiness."""

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

TableCounts = dict[str, int]
Report = Callable[[str], None]

MANIFEST_FORMAT = 1
# Tables that a freshly migrated database already fills: they do not make it "in use".
BOOKKEEPING_TABLES = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore that cannot go on, with a message for the operator."""

    def __init__(self, message: str, *, exit_code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


@dataclass
class BackupResult:
    path: Path
    manifest_path: Path
    engine: str
    revision: str | None
    counts: TableCounts
    size: int
    seconds: float
    notes: list[str] = field(default_factory=list)


@dataclass
class RestoreResult:
    path: Path
    engine: str
    revision: str | None
    counts: TableCounts
    replaced: TableCounts
    migrated_to: str | None
    seconds: float
    notes: list[str] = field(default_factory=list)


def holds_data(counts: TableCounts) -> bool:
    """Whether a database is in use: any row outside the tables migrations fill themselves."""
    return any(n for table, n in counts.items() if table not in BOOKKEEPING_TABLES)


def describe_counts(counts: TableCounts, *, largest: int | None = None) -> list[str]:
    """One aligned line per table that has rows (`  posts   1,234 rows`), by name; or only the
    `largest` ones, biggest first."""
    shown = sorted((t, n) for t, n in counts.items() if n)
    if largest is not None:
        shown = sorted(
            ((t, n) for t, n in shown if t not in BOOKKEEPING_TABLES), key=lambda item: -item[1]
        )[:largest]
    width = max((len(t) for t, _n in shown), default=0)
    return [f"  {table:<{width}}  {_rows(n):>15}" for table, n in shown]


def compare_counts(expected: TableCounts, actual: TableCounts) -> list[str]:
    """The differences between two sets of row counts, as readable lines (none: equal)."""
    problems = []
    for table in sorted(set(expected) | set(actual)):
        want, have = expected.get(table), actual.get(table)
        if want != have:
            problems.append(
                f"{table}: backup has {_rows(want)}, restored database has {_rows(have)}"
            )
    return problems


def _rows(n: int | None) -> str:
    if n is None:
        return "no such table"
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def progress_reporter(
    report: Report, what: str, *, step_percent: int = 10
) -> Callable[[int, int], None]:
    """A (done, total) callback that reports every `step_percent` percent, and at the end."""
    last = -step_percent

    def update(done: int, total: int) -> None:
        nonlocal last
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if percent >= last + step_percent or (percent == 100 and last < 100):
            last = percent
            report(f"  {what}: {percent:3d}% ({done:,} of {total:,})")

    return update


# -- files --------------------------------------------------------------------------------------


@contextmanager
def temporary_sibling(final: Path) -> Iterator[Path]:
    """A temporary path beside `final` (same file system, so renaming it is atomic); removed
    unless the caller renamed it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def move_into_place(temporary: Path, final: Path) -> None:
    """Flush the file to disk, then rename it over `final` in one step: a crash leaves either
    the old file or the complete new one, never half a backup under the final name."""
    with open(temporary, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(temporary, final)
    directory = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- the manifest ---------------------------------------------------------------------------------


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def write_manifest(backup: Path, *, engine: str, revision: str | None, counts: TableCounts) -> Path:
    """`<backup>.json`: what the backup holds, so a restore can check it got all of it."""
    content = {
        "agora_backup": MANIFEST_FORMAT,
        "engine": engine,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "file": backup.name,
        "bytes": backup.stat().st_size,
        "sha256": sha256_of(backup),
        "alembic_revision": revision,
        "tables": dict(sorted(counts.items())),
    }
    path = manifest_path(backup)
    with temporary_sibling(path) as temporary:
        temporary.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")
        move_into_place(temporary, path)
    return path


@dataclass
class Manifest:
    engine: str
    created_at: str
    revision: str | None
    counts: TableCounts


def read_manifest(backup: Path, report: Report) -> Manifest | None:
    """The backup's manifest, or None (with a note why) when it is missing or belongs to another
    file: a manifest is a help, the backup itself stays the truth."""
    path = manifest_path(backup)
    if not path.exists():
        return None
    try:
        content: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if content.get("agora_backup") != MANIFEST_FORMAT:
            raise ValueError("unknown manifest format")
        if content["bytes"] != backup.stat().st_size or content["sha256"] != sha256_of(backup):
            report(f"Ignoring {path.name}: it describes a different file than {backup.name}.")
            return None
        return Manifest(
            engine=content["engine"],
            created_at=content["created_at"],
            revision=content["alembic_revision"],
            counts={str(t): int(n) for t, n in content["tables"].items()},
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        report(f"Ignoring {path.name}: it is not a readable backup manifest ({exc}).")
        return None


# -- schema revisions ---------------------------------------------------------------------------


def alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    from app.core.config import PROJECT_ROOT

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    # alembic.ini values are interpolated: a % in a password must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


@dataclass(frozen=True)
class SchemaHistory:
    head: str
    known: frozenset[str]


def schema_history() -> SchemaHistory:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head = script.get_current_head()
    assert head is not None
    return SchemaHistory(head=head, known=frozenset(r.revision for r in script.walk_revisions()))


def check_revision(revision: str | None, *, source: str) -> SchemaHistory:
    """Refuse a backup this version of Agora cannot read: one without a schema revision, or
    one from a newer version (its revision is not among ours)."""
    history = schema_history()
    if revision is None:
        raise BackupError(
            f"{source} has no Agora schema revision (no alembic_version row): "
            "it is not a backup of an Agora database."
        )
    if revision not in history.known:
        raise BackupError(
            f"{source} has the database schema {revision!r}, which this version of Agora does "
            f"not know (its newest is {history.head!r}): it was made by a newer Agora. "
            "Restore it with that version, or upgrade Agora first."
        )
    return history


def migrate_to_head(database_url: str) -> None:
    """Bring a restored older schema up to date, then refresh the planner's statistics."""
    from alembic import command

    from app.core.db import make_engine, refresh_planner_statistics

    command.upgrade(alembic_config(database_url), "head")
    engine = make_engine(database_url, pool_size=1)
    try:
        refresh_planner_statistics(engine)
    finally:
        engine.dispose()
