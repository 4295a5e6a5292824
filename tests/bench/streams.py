"""`make bench`: the real server under wrk, on a small and a large dataset side by side.

For each dataset size: a fresh SQLite database made with the `agora` command (migrate, a viewer
account, seed-demo in bulk) and `agora serve --no-migrate --workers 1` in production mode on a
port of 8200-8299 (or AGORA_BENCH_PORTS), pinned to CPU 0 when there are two cores, signed in
over HTTP. Then wrk at 16 connections, one thread pinned to CPU 1, against the floor (/ping:
the same middleware and session check, nothing else), the home stream, a space stream and the
post with 300 comments, taking turns between targets and datasets over a few rounds; then each
worker's RSS. Prints a table, checks the targets (report.py), writes bench-results/*.json and
exits non-zero when a target is missed.

    python -m tests.bench.run            # 1k and 100k posts, 12 s per target in 4 rounds
    python -m tests.bench.run --quick    # small datasets, 3 s per target (a smoke run)
"""

import argparse
import os
import shutil
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.bench.dataset import Dataset, Size, build
from tests.bench.load import (
    CONNECTIONS,
    PINNED_THREADS,
    SHARED_THREADS,
    Result,
    ensure_wrk,
    run_wrk,
)
from tests.bench.report import FLOOR, DatasetRun, checks, table, write_json
from tests.bench.server import (
    LOAD_CPU,
    Server,
    can_pin,
    how_pinned,
    running,
    sign_in,
    worker_cpu_seconds,
    worker_memory_mb,
)

FULL = (
    Size("1k", users=200, spaces=20, posts=1_000, comments=10_000),
    Size("100k", users=5_000, spaces=200, posts=100_000, comments=1_000_000),
)
QUICK = (
    Size("small", users=50, spaces=10, posts=200, comments=2_000),
    Size("large", users=500, spaces=50, posts=5_000, comments=50_000),
)


def _targets(slug: str, post_id: int) -> list[tuple[str, str]]:
    return [
        (FLOOR, "/ping"),
        ("home", "/"),
        ("space", f"/spaces/{slug}"),
        ("post", f"/posts/{post_id}"),
    ]


@dataclass
class Live:
    """One dataset's server, signed in, with what is measured on it."""

    run: DatasetRun
    server: Server
    cookie: str
    targets: list[tuple[str, str]]
    pin: bool

    def load(self, wrk: str, target: str, path: str, seconds: float) -> Result:
        return run_wrk(
            wrk, self.server.base_url, target, path, self.cookie, seconds,
            cpu_seconds=lambda: worker_cpu_seconds(self.server),
            load_cpu=LOAD_CPU if self.pin else None,
        )  # fmt: skip


def seed(size: Size, directory: Path) -> Dataset:
    print(
        f"== {size.name}: seeding {size.users:,} people, {size.spaces:,} spaces, "
        f"{size.posts:,} posts, {size.comments:,} comments ...",
        flush=True,
    )
    dataset = build(size, directory, search_index=False)
    print(f"   seeded in {dataset.seed_seconds:.1f} s", flush=True)
    return dataset


def measure(lives: list[Live], wrk: str, seconds: float, rounds: int) -> None:
    """Every target on every dataset takes turns, round after round.

    Taking turns puts the small and the large dataset, and each page and its floor, side by
    side in time: other work on this shared machine then slows both sides of a comparison,
    and a burst of it spoils one round, not the verdict (report.py compares round by round).
    The table shows each target's best round.
    """
    for live in lives:
        for target, path in live.targets:
            live.load(wrk, target, path, 1)  # unmeasured: templates compiled, caches warm
    for number in range(1, rounds + 1):
        for index in range(len(lives[0].targets)):
            for live in lives:
                target, path = live.targets[index]
                result = live.load(wrk, target, path, seconds / rounds)
                result.round = number
                live.run.rounds.append(result)
                print(
                    f"   round {number} {live.run.size.name:<6} {target:<6} {path:<24}"
                    f" {result.rps:8.1f} req/s  p50 {result.p50_ms:7.2f} ms"
                    f"  p99 {result.p99_ms:7.2f} ms  cpu {result.cpu_ms:6.2f} ms/req"
                    f"  errors {result.errors}  load {result.load_average:.2f}",
                    flush=True,
                )
    for live in lives:
        live.run.results = [
            max((r for r in live.run.rounds if r.target == target), key=lambda r: r.rps)
            for target, _path in live.targets
        ]
        live.run.rss_mb, live.run.peak_rss_mb = worker_memory_mb(live.server)


def bench(
    sizes: tuple[Size, ...], workdir: Path, wrk: str, seconds: float, rounds: int, pin: bool
) -> list[DatasetRun]:
    datasets = [seed(size, workdir / size.name) for size in sizes]
    with ExitStack() as servers:
        lives = []
        for dataset in datasets:
            server = servers.enter_context(running(dataset, pin=pin))
            print(f"== {dataset.size.name}: serving on {server.base_url}", flush=True)
            run = DatasetRun(dataset.size, dataset.seed_seconds, rss_mb=0, peak_rss_mb=0)
            targets = _targets(dataset.space_slug, dataset.showcase_post_id)
            cookie = sign_in(server, dataset.password)
            lives.append(Live(run, server, cookie, targets, pin))
        measure(lives, wrk, seconds, rounds)
    return [live.run for live in lives]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small datasets, 3 s per target")
    parser.add_argument("--seconds", type=float, help="seconds per target (default 12, quick 3)")
    parser.add_argument("--rounds", type=int, help="rounds the time is split into (4, quick 1)")
    parser.add_argument("--keep-data", action="store_true", help="keep the databases and logs")
    args = parser.parse_args(argv)
    seconds = args.seconds or (3.0 if args.quick else 12.0)
    rounds = max(1, args.rounds or (1 if args.quick else 4))
    sizes = QUICK if args.quick else FULL
    wrk = ensure_wrk()
    workdir = Path(tempfile.mkdtemp(prefix="agora-bench-"))
    pin = can_pin()
    print(
        f"bench: {CONNECTIONS} connections, {seconds:g} s per target in {rounds} round(s), "
        f"{how_pinned(pin)} (wrk {PINNED_THREADS if pin else SHARED_THREADS} thread(s)), "
        f"load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}, data in {workdir}"
    )
    try:
        runs = bench(sizes, workdir, wrk, seconds, rounds, pin)
    finally:
        if not args.keep_data:
            shutil.rmtree(workdir, ignore_errors=True)
    found = checks(runs)
    print()
    print(table(runs))
    print()
    print("Targets:")
    for check in found:
        print(check.line())
    path = write_json(runs, found, quick=args.quick, seconds=seconds, rounds=rounds)
    missed = [c for c in found if not c.ok]
    print(f"\nResults written to {path}")
    if missed:
        print(f"bench: {len(missed)} target(s) missed:", file=sys.stderr)
        for check in missed:
            print(check.line(), file=sys.stderr)
        return 1
    print("bench: all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
