"""The `agora` command: users, tokens, demo data, first start."""

from sqlmodel import func, select
from typer.testing import CliRunner

from app.cli import bootstrap_first_start, cli
from app.demo.seed import POSTS
from app.people.models import User
from app.posts.models import Comment, Post
from app.search.models import SearchDocument
from app.spaces.models import Space
from tests.factories import make_user

runner = CliRunner()


def test_users_create_reads_the_password_from_stdin(session):
    result = runner.invoke(
        cli,
        ["users", "create", "boss@example.com", "--name", "Boss", "--admin"],
        input="a-strong-password\n",
    )
    assert result.exit_code == 0, result.output
    user = session.exec(select(User).where(User.email == "boss@example.com")).one()
    assert user.is_admin


def test_users_create_reports_bad_input(session):
    result = runner.invoke(
        cli, ["users", "create", "not-an-email", "--name", "X"], input="password123\n"
    )
    assert result.exit_code == 1
    assert "valid email" in result.output


def test_tokens_create_prints_only_the_token(session):
    user = make_user(session)
    result = runner.invoke(cli, ["tokens", "create", user.email, "--name", "ci"])
    assert result.exit_code == 0
    assert result.stdout.strip().startswith("agora_")
    assert len(result.stdout.strip().splitlines()) == 1
    missing = runner.invoke(cli, ["tokens", "create", "ghost@example.com"])
    assert missing.exit_code == 1


def test_seed_demo_is_idempotent_and_bulk_adds_rows(session):
    first = runner.invoke(cli, ["seed-demo"])
    assert "Demo community seeded" in first.output
    again = runner.invoke(
        cli, ["seed-demo", "--users", "20", "--spaces", "3", "--posts", "60", "--comments", "300"]
    )
    assert again.exit_code == 0, again.output
    assert "already present" in again.output
    assert session.exec(select(func.count()).select_from(Space)).one() == 6 + 3
    assert session.exec(select(func.count()).select_from(Post)).one() == len(POSTS) + 60
    assert session.exec(select(func.count()).select_from(Comment)).one() == 7 + 300
    synthetic_counts = session.exec(select(func.sum(Post.comment_count))).one()
    assert synthetic_counts == 7 + 300


def test_seed_demo_can_leave_the_search_index_for_later(session):
    """Page benchmarks seed without indexing: the synthetic posts are there, unindexed."""
    runner.invoke(cli, ["seed-demo"])

    def indexed_posts() -> int:
        session.rollback()  # a fresh read: the command wrote in its own sessions
        query = select(func.count()).select_from(SearchDocument)
        return session.exec(query.where(SearchDocument.kind == "post")).one()

    before = indexed_posts()
    done = runner.invoke(
        cli, ["seed-demo", "--users", "5", "--spaces", "2", "--posts", "30", "--no-search-index"]
    )
    assert done.exit_code == 0, done.output
    assert indexed_posts() == before
    assert session.exec(select(func.count()).select_from(Post)).one() == len(POSTS) + 30


def test_first_start_creates_one_admin_and_prints_it(session, capsys):
    bootstrap_first_start()
    bootstrap_first_start()
    out = capsys.readouterr().out
    assert out.count("admin@agora.local") == 1
    admins = session.exec(select(User).where(User.site_role == "admin")).all()
    assert len(admins) == 1
    assert admins[0].welcome_pending  # the first sign-in opens the welcome page
