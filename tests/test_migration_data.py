"""Migrations keep what people wrote: run them on a database with content.

On a SQLite file of its own whatever database the suite uses: batch mode (SQLite's way to
alter a table by copying it) is where rows can be lost.
"""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlmodel import Session

from app.core.db import make_engine
from app.recognition.service import set_leader
from tests.factories import make_comment, make_post, make_space, make_user

# A migration that makes SQLite copy the posts table (a column whose default is an expression
# cannot be added in place), written to a scratch folder beside the real ones.
COPY_POSTS = """
import sqlalchemy as sa
from alembic import op

revision = "zz_copy_posts"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("posts") as batch_op:
        batch_op.add_column(
            sa.Column("scratch", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade():
    pass
"""


def _config(url: str, extra_versions: Path | None = None) -> Config:
    config = Config("alembic.ini")
    config.set_main_option("sqlalchemy.url", url)
    if extra_versions is not None:
        real = Path(config.get_main_option("script_location") or "alembic") / "versions"
        config.set_main_option(
            "version_locations", os.pathsep.join([str(real), str(extra_versions)])
        )
    config.attributes["configure_logger"] = False
    return config


def _database_with_a_commented_leader_post(url: str) -> None:
    engine = make_engine(url)
    with Session(engine) as session:
        admin, leader = make_user(session, admin=True), make_user(session)
        space = make_space(session, host=admin, members=(leader,))
        post = make_post(session, author=leader, space=space)
        make_comment(session, author=admin, post=post)
        set_leader(session, actor=admin, person=leader, is_leader=True)
        session.commit()
    engine.dispose()


def _count(url: str, sql: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        value = conn.exec_driver_sql(sql).scalar_one()
    engine.dispose()
    return int(value)


def test_a_migration_that_copies_the_posts_table_keeps_their_comments(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'agora.db'}"
    command.upgrade(_config(url), "head")
    _database_with_a_commented_leader_post(url)
    scratch = tmp_path / "versions"
    scratch.mkdir()
    head = ScriptDirectory.from_config(_config(url)).get_current_head()
    (scratch / "zz_copy_posts.py").write_text(COPY_POSTS.format(head=head))

    command.upgrade(_config(url, scratch), "zz_copy_posts")

    # Dropping the old table with foreign keys enforced would delete the comment by cascade.
    assert _count(url, "SELECT count(*) FROM pragma_table_info('posts') WHERE name = 'scratch'")
    assert _count(url, "SELECT count(*) FROM comments") == 1


def test_leaders_posts_written_before_the_mark_existed_are_marked(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'agora.db'}"
    config = _config(url)
    command.upgrade(config, "head")
    _database_with_a_commented_leader_post(url)

    command.downgrade(config, "0009_voices")
    command.upgrade(config, "head")

    assert _count(url, "SELECT by_leader FROM posts") == 1
    assert _count(url, "SELECT count(*) FROM comments") == 1


def test_people_who_answered_a_prompt_before_it_was_stored_keep_the_step(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'agora.db'}"
    config = _config(url)
    command.upgrade(config, "head")
    engine = make_engine(url)
    with Session(engine) as session:
        host, answered, chatted = make_user(session), make_user(session), make_user(session)
        space = make_space(session, host=host, members=(answered, chatted))
        prompt = make_post(session, author=host, space=space, kind="prompt", title="Hello?")
        make_comment(session, author=answered, post=prompt)
        make_comment(session, author=answered, post=prompt)
        make_comment(session, author=chatted, post=make_post(session, author=host, space=space))
        ids = (answered.id, chatted.id)
    engine.dispose()

    command.downgrade(config, "0027_h16c")
    command.upgrade(config, "head")

    answered_sql = "SELECT count(*) FROM onboarding_progress WHERE answered_prompt_at IS NOT NULL"
    assert _count(url, answered_sql) == 1
    assert _count(url, f"{answered_sql} AND user_id = {ids[0]}") == 1
    assert _count(url, "SELECT count(*) FROM comments") == 3
