"""Backups of the whole database while the site runs, and restores into an empty database.

SQLite: the online backup API copies one consistent snapshot page by page. PostgreSQL:
`pg_dump --format=custom` from an exported snapshot, so the row counts written beside the dump
describe exactly what is in it. Each backup gets a manifest, `<file>.json`, with the schema
revision and the row count of every table; a restore checks its result against those counts.
"""

from app.backup.common import BackupError, BackupResult, RestoreResult, TableCounts
from app.backup.run import backup_database, restore_database

__all__ = [
    "BackupError",
    "BackupResult",
    "RestoreResult",
    "TableCounts",
    "backup_database",
    "restore_database",
]
