"""A server killed with SIGKILL in the middle of a write load loses no write it acknowledged,
and starts again on the same database without repair."""

import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from app.core.db import make_engine
from tests.concurrency.conftest import (
    ON_POSTGRESQL,
    call,
    drop_database,
    fresh_database,
    migrate,
    server_env,
    start_server,
)
from tests.e2e.conftest import stop_server
from tests.factories import make_post, make_space, make_token, make_user

WRITERS = 8


def test_acknowledged_comments_survive_a_kill_9() -> None:
    folder = Path(tempfile.mkdtemp(prefix="agora-crash-"))
    database_url = fresh_database(folder, "crash")
    env = server_env(database_url)
    migrate(env)
    engine = make_engine(database_url)
    with Session(engine, expire_on_commit=False) as session:
        host = make_user(session)
        writers = [make_user(session) for _ in range(WRITERS)]
        space = make_space(session, host=host, members=tuple(writers))
        post = make_post(session, author=host, space=space)
        tokens = [make_token(session, user=w) for w in writers]
        reader = make_token(session, user=host)
    log = folder / "server.log"
    url, process = start_server(env, log)
    acknowledged: list[str] = []
    lock, stopping = threading.Lock(), threading.Event()

    def writer(i: int) -> None:
        n = 0
        while not stopping.is_set():
            body = f"w{i}-{n}"
            answer = call(
                url, "POST", f"/api/v1/posts/{post.id}/comments", tokens[i], {"body": body}
            )
            if answer.status == 201:
                with lock:
                    acknowledged.append(body)
            n += 1

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        # Kill it while the writes are flowing: wait for some, then SIGKILL without warning.
        deadline = time.monotonic() + 30
        while len(acknowledged) < 40 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        stopping.set()
        for thread in threads:
            thread.join(60)
        assert len(acknowledged) >= 40, log.read_text()[-2000:]

        # Started again as an operator would (migrations first), on the very same database.
        migrate(env)
        url, process = start_server(env, log)
        stored: set[str] = set()
        cursor = None
        while True:
            page = call(
                url,
                "GET",
                f"/api/v1/posts/{post.id}/comments?limit=100"
                + (f"&cursor={cursor}" if cursor else ""),
                reader,
            )
            assert page.status == 200, page
            stored |= {c["body"] for c in page.body["items"]}
            cursor = page.body["next_cursor"]
            if not cursor:
                break
        missing = set(acknowledged) - stored
        assert not missing, f"{len(missing)} acknowledged comments lost: {sorted(missing)[:5]}"
        # The server still takes writes, and the database is whole.
        after = call(url, "POST", f"/api/v1/posts/{post.id}/comments", tokens[0], {"body": "after"})
        assert after.status == 201
        if not ON_POSTGRESQL:
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    finally:
        stopping.set()
        stop_server(process)
        engine.dispose()
        drop_database("crash")
        shutil.rmtree(folder, ignore_errors=True)
