"""Alembic environment: the database URL comes from Agora's settings, never from alembic.ini."""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

import app.models  # noqa: F401  - registers every table on the metadata
from app.core.config import get_settings
from app.core.db import make_engine, metadata

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _include_object(
    obj: object, name: str | None, type_: str, reflected: bool, _other: object
) -> bool:
    """Leave the engines' full-text index over search_documents out of the comparison: it is
    no model (SQLite's FTS5 table and its shadow tables, PostgreSQL's GIN expression index;
    see alembic/versions/0015_search.py and 0020_search2.py)."""
    return not (reflected and (name or "").startswith(("search_fts", "search_documents_terms")))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=_include_object,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or get_settings().database_url)
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            _foreign_keys_off(conn)
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
            if sqlite:
                _check_foreign_keys(conn)
    engine.dispose()


def _foreign_keys_off(conn: Connection) -> None:
    """Batch mode on SQLite copies a table and drops the old one; while foreign keys are
    enforced, that drop deletes every row referencing the table by cascade (all comments of
    all posts). Alembic's advice is to switch enforcement off for the migration: the pragma is
    ignored inside a transaction, so it comes first and is committed on its own."""
    conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
    conn.commit()


def _check_foreign_keys(conn: Connection) -> None:
    """Fail the migration (rolled back with it) if it left rows pointing nowhere."""
    broken = conn.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"migration left rows with broken references: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
