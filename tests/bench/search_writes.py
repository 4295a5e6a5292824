"""What the search index adds to a write: comments posted over HTTP to a real `agora serve`,
with the index kept and with it switched off (AGORA_SEARCH_INDEXING=false).

    BENCH_SEARCH_DIR=/tmp/x python -m tests.bench.search_writes   # that dataset (kept or built)
    BENCH_SEARCH_QUICK=1 python -m tests.bench.search_writes      # 5k posts / 50k comments
    python -m tests.bench.search_writes --writes 400 --rounds 7

The server runs pinned to CPU 0, this client on CPU 1, one write at a time (a write's cost, not
a queue's). The two ways alternate round by round (taking turns to go first), each round on a
freshly started server, so a change in the machine's load falls on both. Per way: p50 and p99
of the POST, and the server's CPU per write (the median round's: the least noisy figure). The
comments written without the index are indexed at the end, so the dataset stays fit for the
search benchmark.

First `agora grant-badges`, as the worker would have run on a real site (the bench datasets
serve with AGORA_RUN_JOBS=0): while a new space's early-adopter places are open, every comment
ranks all the site's contributions for its post's author (about 85 ms at 50,000 comments),
which would drown what the index adds. Once the places are taken, that rule is skipped.
"""

import argparse
import http.client
import json
import os
import statistics
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench.dataset import agora_command
from tests.bench.server import HOST, PORTS, SERVER_CPU, can_pin, serving, worker_cpu_seconds

LIMIT_PERCENT = 15.0  # the bound on what search may add to a write


@dataclass
class Way:
    label: str
    env: dict[str, str]
    latencies: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # the server's CPU per write, by round
    comment_ids: list[int] = field(default_factory=list)

    def summary(self) -> tuple[float, float, float]:
        """(p50 ms, p99 ms, server CPU ms per write: the median round's, the least noisy)."""
        times = sorted(self.latencies)
        p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
        return statistics.median(times), p99, statistics.median(self.cpu_ms)


def _viewer_token_and_post(database_url: str, viewer_email: str) -> tuple[str, int]:
    """An API token for the viewer and the newest live post of a space they are a member of."""
    from sqlalchemy import text
    from sqlmodel import Session, select

    from app.core.db import make_engine
    from app.people.models import User
    from app.people.service import create_api_token

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            user = session.exec(select(User).where(User.email == viewer_email)).one()
            post_id = session.execute(
                text(
                    "SELECT p.id FROM memberships m JOIN posts p ON p.space_id = m.space_id "
                    "WHERE m.user_id = :user AND m.state = 'active' AND p.deleted_at IS NULL "
                    "AND p.hidden_at IS NULL ORDER BY p.id DESC LIMIT 1"
                ),
                {"user": user.id},
            ).scalar_one()
            token = create_api_token(session, user=user, name="bench-search-writes")
            session.commit()
            return token, int(post_id)
    finally:
        engine.dispose()


def _index_left_out(database_url: str, comment_ids: list[int]) -> None:
    """Index the comments written while indexing was off, as `agora search reindex` would."""
    from sqlmodel import Session, col, select

    from app.core.db import make_engine
    from app.posts.models import Comment, Post
    from app.search import index

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            for start in range(0, len(comment_ids), 500):
                comments = session.exec(
                    select(Comment).where(col(Comment.id).in_(comment_ids[start : start + 500]))
                ).all()
                documents = []
                for comment in comments:
                    post = session.get(Post, comment.post_id)
                    assert post is not None
                    documents.append(index.comment_document(comment, post))
                index.save_documents(session, documents)
            session.commit()
    finally:
        engine.dispose()


def _round(way: Way, log: Path, token: str, post_id: int, writes: int, pin: bool) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with serving(way.env, log, ports=PORTS, cpus=SERVER_CPU if pin else None) as server:
        conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
        try:
            for n in range(writes + 10):  # the first 10 warm the server's caches
                body = json.dumps({"body": f"Kurze Antwort {n}: the meeting notes look good, "
                                           "danke für die Protokolle."})  # fmt: skip
                if n == 10:
                    cpu = worker_cpu_seconds(server)
                started = time.perf_counter()
                conn.request("POST", f"/api/v1/posts/{post_id}/comments", body, headers)
                response = conn.getresponse()
                raw = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 201 and response.status != 200:
                    raise SystemExit(f"bench: a comment answered {response.status}: {raw[:300]!r}")
                way.comment_ids.append(int(json.loads(raw)["id"]))
                if n >= 10:
                    way.latencies.append(elapsed)
            way.cpu_ms.append((worker_cpu_seconds(server) - cpu) * 1000 / writes)
        finally:
            conn.close()


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def comment_write_cost(
    env: dict[str, str], directory: Path, viewer_email: str, *, writes: int = 200, rounds: int = 5
) -> str:
    """Post `writes` comments per round and way, `rounds` times; returns the report's lines."""
    pin = can_pin()
    if pin:
        os.sched_setaffinity(0, {int(SERVER_CPU) ^ 1})
    url = env["AGORA_DATABASE_URL"]
    subprocess.run([*agora_command(), "grant-badges"], env=env, check=True, capture_output=True)
    token, post_id = _viewer_token_and_post(url, viewer_email)
    kept = Way("with the index", env)
    off = Way("without (AGORA_SEARCH_INDEXING=false)", env | {"AGORA_SEARCH_INDEXING": "false"})
    log = directory / "server-writes.log"
    loads = [_load_average()]
    try:
        for n in range(rounds):
            for way in (kept, off) if n % 2 == 0 else (off, kept):
                _round(way, log, token, post_id, writes, pin)
            loads.append(_load_average())
    finally:
        _index_left_out(url, off.comment_ids)
    lines = [f"comment writes over HTTP, {rounds} x {writes} per way, one at a time, "
             f"{'server on CPU 0' if pin else 'unpinned'}:"]  # fmt: skip
    for way in (kept, off):
        p50, p99, cpu = way.summary()
        rounds_ms = ", ".join(f"{ms:.2f}" for ms in way.cpu_ms)
        lines.append(f"  {way.label:<40} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  "
                     f"server CPU {cpu:5.2f} ms/write (rounds: {rounds_ms})")  # fmt: skip
    (p50_on, _p99_on, cpu_on), (p50_off, _p99_off, cpu_off) = kept.summary(), off.summary()
    cost, slower = 100 * (cpu_on / cpu_off - 1), 100 * (p50_on / p50_off - 1)
    lines.append(f"  the index adds {cpu_on - cpu_off:+.2f} ms = {cost:+.1f}% server CPU, "
                 f"{slower:+.1f}% p50 per comment (limit {LIMIT_PERCENT:.0f}%: "
                 f"{'met' if cost <= LIMIT_PERCENT else 'MISSED'}); "
                 f"load average {' -> '.join(loads)}")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    from tests.bench.bench_search import _dataset
    from tests.bench.dataset import VIEWER_EMAIL

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=200, help="comments per round and way")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    dataset = _dataset()
    print(f"dataset in {dataset.directory}", flush=True)
    report = comment_write_cost(
        dataset.env, dataset.directory, VIEWER_EMAIL, writes=args.writes, rounds=args.rounds
    )
    print(report, flush=True)


if __name__ == "__main__":
    main()
