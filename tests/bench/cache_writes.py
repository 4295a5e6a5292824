"""`python -m tests.bench.cache_writes`: the hot pages under load while someone writes.

The page cache (issue 19) drops every kept page at each write of the process, so its worth under
writes is the question. For each setting of AGORA_PAGE_CACHE_SECONDS (default: 0, then 1) this
serves the 1k dataset pinned to CPU 0 as `make bench` does, signs the viewer in, and loads the
floor, home, a space and a post with `wrk` on CPU 1 while a writer (on CPU 1 too) posts a comment
as the viewer every `--interval` seconds to a post of the viewer's space, through the same
server. The writer's own cost is measured first, alone, and taken off the pages' CPU time:

    pages' CPU per request = (worker CPU during the run - writer's CPU per second x seconds)
                             / page requests answered

It prints both figures, the writes made, the load average and the worker's memory.

    flock /tmp/agora-bench.lock nice -n -11 python -m tests.bench.cache_writes --data DIR
"""

import argparse
import sqlite3
import sys
import threading
import time
import urllib.parse
from contextlib import closing
from pathlib import Path

from tests.bench.dataset import Dataset, kept
from tests.bench.load import ensure_wrk, run_wrk
from tests.bench.server import (
    LOAD_CPU,
    Server,
    can_pin,
    how_pinned,
    request,
    running,
    sign_in,
    worker_cpu_seconds,
    worker_memory_mb,
)
from tests.bench.streams import FULL, _targets


def _post_in_space(dataset: Dataset) -> int:
    """A post of the viewer's space, other than the measured one: where the comments go."""
    database = dataset.directory / "agora.db"
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        row = db.execute(
            "SELECT p.id FROM posts p JOIN spaces s ON s.id = p.space_id "
            "WHERE s.slug = ? AND p.deleted_at IS NULL AND p.id != ? ORDER BY p.id LIMIT 1",
            (dataset.space_slug, dataset.showcase_post_id),
        ).fetchone()
    if row is None:
        raise SystemExit("cache_writes: the viewer's space has no post to comment on")
    return int(row[0])


class Writer(threading.Thread):
    """Posts a comment every `interval` seconds until stopped; counts what was answered."""

    def __init__(self, server: Server, cookie: str, post_id: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.server, self.cookie, self.post_id, self.interval = server, cookie, post_id, interval
        self.csrf = cookie.split("agora_csrf=", 1)[1].split(";", 1)[0]
        self.written = self.failed = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        next_at = time.monotonic()
        n = 0
        while not self.stopping.is_set():
            n += 1
            form = urllib.parse.urlencode({"body": f"Bench comment {n}", "csrf_token": self.csrf})
            status, _headers, _body = request(
                self.server, "POST", f"/posts/{self.post_id}/comments", form, cookie=self.cookie
            )
            if status == 303:
                self.written += 1
            else:
                self.failed += 1
            next_at += self.interval
            self.stopping.wait(max(0.0, next_at - time.monotonic()))


def _writer_alone(server: Server, cookie: str, post_id: int, args: argparse.Namespace) -> float:
    """The worker's CPU seconds per second spent on the writes alone."""
    writer = Writer(server, cookie, post_id, args.interval)
    before = worker_cpu_seconds(server)
    started = time.monotonic()
    writer.start()
    time.sleep(args.seconds)
    writer.stopping.set()
    writer.join()
    cpu, seconds = worker_cpu_seconds(server) - before, time.monotonic() - started
    print(
        f"   writer alone: {writer.written} comments in {seconds:.1f} s, "
        f"{1000 * cpu / max(1, writer.written):.2f} ms CPU each",
        flush=True,
    )
    return cpu / seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.cache_writes", description=__doc__)
    parser.add_argument("--data", type=Path, required=True, help="the kept 1k dataset's directory")
    parser.add_argument("--seconds", type=float, default=10.0, help="seconds per target")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between comments")
    parser.add_argument("--targets", default="floor,home,space,post", help="comma-separated")
    parser.add_argument("--page-cache", default="0,1", help="AGORA_PAGE_CACHE_SECONDS to run")
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    pin = can_pin()
    load_cpu = LOAD_CPU if pin else None
    dataset = kept(FULL[0], args.data)
    post_id = _post_in_space(dataset)
    wanted = set(args.targets.split(","))
    print(
        f"cache_writes: {how_pinned(pin)}; a comment every {args.interval:g} s to post {post_id}",
        flush=True,
    )
    for seconds in args.page_cache.split(","):
        dataset.env["AGORA_PAGE_CACHE_SECONDS"] = seconds
        with running(dataset, pin=pin) as server:
            cookie = sign_in(server, dataset.password)
            print(f"== AGORA_PAGE_CACHE_SECONDS={seconds}", flush=True)
            writer_rate = _writer_alone(server, cookie, post_id, args)
            for target, path in _targets(dataset.space_slug, dataset.showcase_post_id):
                if target not in wanted:
                    continue
                run_wrk(wrk, server.base_url, target, path, cookie, 2, load_cpu=load_cpu)
                writer = Writer(server, cookie, post_id, args.interval)
                writer.start()
                started = time.monotonic()
                result = run_wrk(
                    wrk, server.base_url, target, path, cookie, args.seconds,
                    cpu_seconds=lambda: worker_cpu_seconds(server), load_cpu=load_cpu,
                )  # fmt: skip
                elapsed = time.monotonic() - started
                writer.stopping.set()
                writer.join()
                total_cpu = result.cpu_ms * result.requests / 1000
                pages_cpu = max(0.0, total_cpu - writer_rate * elapsed)
                print(
                    f"   {target} {path}: {result.rps:.0f} req/s, {result.cpu_ms:.2f} ms CPU per"
                    f" request with the writes, {1000 * pages_cpu / max(1, result.requests):.2f}"
                    f" ms without; {writer.written} comments ({writer.failed} failed),"
                    f" {result.errors} page errors, load average {result.load_average:.2f}",
                    flush=True,
                )
            rss, peak = worker_memory_mb(server)
            print(f"   worker memory: {rss:.0f} MB resident, peak {peak:.0f} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
