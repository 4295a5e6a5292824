"""The community migration marks every existing post as announced, so nothing is sent twice."""

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from app.core.config import PROJECT_ROOT


def test_existing_posts_count_as_announced_after_the_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "0001")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO spaces (id, slug, name, description, visibility, join_policy, "
                "created_at) VALUES (1, 's', 'S', '', 'public', 'open', '2026-01-01 10:00:00')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO posts (id, space_id, kind, title, body, body_html, created_at, "
                "published_at, comment_count) VALUES (1, 1, 'discussion', 't', 'b', 'b', "
                "'2026-01-01 10:00:00', '2026-01-02 09:00:00', 0)"
            )
        )

    command.upgrade(config, "head")

    with engine.connect() as conn:
        announced = conn.execute(text("SELECT announced_at FROM posts WHERE id = 1")).scalar()
    engine.dispose()
    assert str(announced).startswith("2026-01-02 09:00:00")
