"""Test database helpers shared by pytest, the migration check and the benchmarks."""

from sqlalchemy import create_engine, text


def reset_database(url: str) -> None:
    """Drop everything in a PostgreSQL test database so migrations start from nothing."""
    if not url.startswith("postgresql"):
        return
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
