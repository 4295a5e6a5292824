"""`agora search reindex` and `agora search status`."""

from sqlalchemy import delete, update
from typer.testing import CliRunner

from app.cli import cli
from app.search.models import SearchDocument
from app.search.service import search
from tests.factories import make_comment, make_post, make_space, make_user

runner = CliRunner()


def test_reindex_rebuilds_a_lost_or_stale_index(session):
    host = make_user(session)
    space = make_space(session, host=host)
    post = make_post(session, author=host, space=space, title="Otter", body="river")
    make_comment(session, author=host, post=post, body="otter comment")
    session.execute(delete(SearchDocument).where(SearchDocument.kind == "post"))
    session.execute(update(SearchDocument).values(terms=""))
    ghost = SearchDocument(kind="post", target_id=999_999, title="Ghost", terms="otter", recency=1)
    session.add(ghost)
    session.commit()
    assert "behind" in runner.invoke(cli, ["search", "status"]).output
    # The ghost's source does not exist, so it is never shown; the post is missing.
    assert search(session, user=host, text_query="otter").items == []

    result = runner.invoke(cli, ["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed" in result.output
    status = runner.invoke(cli, ["search", "status"]).output
    assert "behind" not in status and "post" in status
    hits = search(session, user=host, text_query="otter").items
    assert sorted(h.kind.value for h in hits) == ["comment", "post"]
