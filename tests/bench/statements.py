"""`python -m tests.bench.statements`: each SQL statement a page sends, and what it costs SQLite.

Runs the app in this process on a kept dataset (production settings, signed in as the bench
viewer), records the statements one request for each target sends, then runs each of them
again on a connection of its own: 20 warm runs, then 200 timed ones, each fetching every row.
The figures are SQLite's work alone, without Agora's or SQLAlchemy's Python around it, so they
compare a statement before and after a change, or at 1k and 100k posts, without the noise
of a whole page.

    python -m tests.bench.statements --data /tmp/b1k --targets home
    python -m tests.bench.statements --data /tmp/b100k --large --targets home,space
"""

import argparse
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

from tests.bench.calls import signed_in_client
from tests.bench.dataset import kept
from tests.bench.streams import FULL, _targets

WARM, TIMED = 20, 200


def _milliseconds(database: Path, sql: str, parameters: Any) -> float:
    with closing(sqlite3.connect(database)) as connection:
        cursor = connection.cursor()
        for _ in range(WARM):
            cursor.execute(sql, parameters).fetchall()
        started = time.perf_counter()
        for _ in range(TIMED):
            cursor.execute(sql, parameters).fetchall()
        return (time.perf_counter() - started) / TIMED * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.statements", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="a dataset kept by the benches")
    parser.add_argument("--large", action="store_true", help="the 100k-post dataset")
    parser.add_argument("--targets", default="home,space,post", help="comma-separated")
    parser.add_argument("--width", type=int, default=100, help="characters of SQL shown")
    args = parser.parse_args(argv)
    dataset = kept(FULL[1] if args.large else FULL[0], args.data)
    sent: list[tuple[str, Any]] = []
    recording = False

    def record(_conn: Any, _cursor: Any, sql: str, parameters: Any, *_rest: Any) -> None:
        if recording:
            sent.append((sql, parameters))

    with signed_in_client(dataset) as client:
        from sqlalchemy import event

        from app.core.db import get_engine

        if get_engine().dialect.name != "sqlite":
            raise SystemExit("statements: the datasets are SQLite files")
        event.listen(get_engine(), "before_cursor_execute", record)
        for target, path in _targets(dataset.space_slug, dataset.showcase_post_id):
            if target not in args.targets.split(","):
                continue
            client.get(path)
            sent.clear()
            recording = True
            client.get(path)
            recording = False
            total = 0.0
            print(f"== {target} {path}: {len(sent)} statements", flush=True)
            for sql, parameters in sent:
                ms = _milliseconds(args.data / "agora.db", sql, parameters)
                total += ms
                print(f"   {ms:7.3f} ms  {' '.join(sql.split())[: args.width]}", flush=True)
            print(f"   {total:7.3f} ms  in all", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
