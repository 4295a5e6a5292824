"""`make bench-writes`: sustained mixed writes over HTTP against a real `agora serve`.

    python -m tests.bench.writes           # SQLite and PostgreSQL, 16 and 64 clients, 30 s each
    python -m tests.bench.writes --quick   # a smoke run: 16 clients for 3 s per engine
    python -m tests.bench.writes --engines sqlite --clients 16 --seconds 60

Each client is a person of its own (user, API token, member of the bench space) with one
keep-alive HTTP connection per server. It sends one write after another, without pause, each
picked at random from this mix:

    40 %  comment on the hot post (one post that everybody comments on)
    15 %  comment on one of 30 other posts of the space
    20 %  like, or take the like back, on one of those 31 posts (POST / DELETE .../reactions)
    12 %  RSVP going, then declined, in turn, to a meetup with room for half the clients
     5 %  write a post
     4 %  kudos to another client for the hot post (the site's budget set to 1000 a month)
     4 %  save a protocol (PUT with base_version): 8 clients share one; each inserts a line at a
          random place of the text it last saw (after a 409 it reads the protocol again)

SQLite: one `agora serve` process with default settings. PostgreSQL: two, and each client
alternates between them request by request, as behind a round-robin load balancer; the server
is AGORA_BENCH_DATABASE_URL or AGORA_TEST_DATABASE_URL (its public schema is dropped), else a
throw-away one from scripts/pg_tmp.sh (skipped, with a message, when it cannot start). The app
servers (and the throw-away PostgreSQL) run pinned to CPU 0, the load generator to CPU 1;
`--database-cpu load` puts PostgreSQL on CPU 1 instead, as a database on a host of its own
(the load generator takes 3-5 % of that CPU).

Measured after a short warm-up: writes acknowledged (2xx) and per second; latency p50/p99/max
of every answered write; refusals that are answers, not failures (409 conflicting protocol
save, 429 spent kudos budget); errors (any other status, a connection error or time-out). Then
every acknowledged write is read back through the API, and the counts must add up: comments
listed (and each post's comment_count) = comments acknowledged, likes = clients whose last
acknowledged act was a like, attendees = clients whose last answer was "going" (at most
capacity going, nobody waiting while there is room), kudos stored = kudos acknowledged, every
acknowledged protocol line in the protocol. Targets (exit status 1 when one is missed): no
errors, everything verified, p99 under 250 ms at 16 clients, SQLite at least 150 writes/s.
A quick run checks only errors and verification: 3 s is no measurement.
"""

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.bench import ROOT
from tests.bench.dataset import agora_command, bench_env
from tests.bench.server import (
    LOAD_CPU,
    SERVER_CPU,
    Server,
    can_pin,
    how_pinned,
    serving,
    worker_cpu_seconds,
)
from tests.bench.write_clients import Client, Fixture, Window, seed, verify


def _ports(spec: str) -> range:
    first, _, last = spec.partition("-")
    return range(int(first), int(last or first) + 1)


# This benchmark's own port range (make bench: 8200-8299); AGORA_BENCH_PORTS="8700-8749" gives
# another, for engineers who share a machine.
PORTS = _ports(os.environ.get("AGORA_BENCH_PORTS", "8300-8339"))
MAX_P99_MS_AT_16 = 250.0
MIN_SQLITE_WRITES_PER_S = 150.0


@dataclass
class Run:
    engine: str
    clients: int
    seconds: float
    writes: int = 0
    refused: int = 0
    errors: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=dict, repr=False)  # by kind
    server_cpu_s: float = 0.0
    load_cpu_s: float = 0.0
    problems: list[str] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.writes / self.seconds if self.seconds else 0.0

    @property
    def all_latencies_ms(self) -> list[float]:
        return [ms for kind in self.latencies_ms.values() for ms in kind]

    def percentile(self, q: float, kind: str | None = None) -> float:
        ordered = sorted(self.latencies_ms.get(kind, []) if kind else self.all_latencies_ms)
        return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")

    def by_kind(self) -> str:
        return "; ".join(
            f"{kind} {len(ms)}: p50 {self.percentile(0.5, kind):.0f} p99 "
            f"{self.percentile(0.99, kind):.0f}"
            for kind, ms in sorted(self.latencies_ms.items(), key=lambda item: -len(item[1]))
        )

    def row(self) -> str:
        cpu_ms = 1000 * self.server_cpu_s / self.writes if self.writes else float("nan")
        return (
            f"| {self.engine} | {self.clients} | {self.writes:,} | {self.per_second:.0f} "
            f"| {self.percentile(0.5):.0f} | {self.percentile(0.99):.0f} "
            f"| {max(self.all_latencies_ms, default=float('nan')):.0f} | {self.refused} "
            f"| {self.errors} | {'yes' if not self.problems else 'NO'} | {cpu_ms:.1f} "
            f"| {100 * self.load_cpu_s / self.seconds:.0f} % |"
        )


HEADER = (
    "| engine | clients | writes | writes/s | p50 ms | p99 ms | max ms | refused 409/429 "
    "| errors | verified | server CPU ms/write | load generator CPU |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"
)


# --- servers and databases ----------------------------------------------------------------------


@contextmanager
def pinned_to(cpu: int) -> Iterator[None]:
    """This process (the load generator: every client thread) on one CPU, as `taskset` would."""
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {cpu})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


@contextmanager
def postgresql(pin: bool, cpu: str = SERVER_CPU) -> Iterator[str | None]:
    """A PostgreSQL URL to use: the given server's, or a throw-away server's (pinned to `cpu`);
    None to skip."""
    for name in ("AGORA_BENCH_DATABASE_URL", "AGORA_TEST_DATABASE_URL"):
        given = os.environ.get(name, "")
        if given.startswith("postgresql"):
            print(f"bench-writes: PostgreSQL from {name} (its public schema is dropped)")
            yield given
            return
    pg_dir = tempfile.mkdtemp(prefix="agora-pg-writes-")
    env = {**os.environ, "AGORA_PG_DIR": pg_dir}
    script = ["bash", str(ROOT / "scripts" / "pg_tmp.sh")]
    taskset = ["taskset", "--cpu-list", cpu] if pin else []
    started = subprocess.run(
        [*taskset, *script, "start"], env=env, capture_output=True, text=True, check=False
    )
    try:
        if started.returncode != 0:
            print(f"bench-writes: PostgreSQL skipped: {started.stderr.strip()[-500:]}")
            yield None
        else:
            yield started.stdout.strip()
    finally:
        subprocess.run([*script, "stop"], env=env, capture_output=True, check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)


@contextmanager
def database(
    engine: str, workdir: Path, pin: bool, pg_cpu: str = SERVER_CPU
) -> Iterator[str | None]:
    if engine == "sqlite":
        yield f"sqlite:///{workdir / 'writes.db'}"
    else:
        with postgresql(pin, pg_cpu) as url:
            yield url


def prepare(url: str, workdir: Path) -> dict[str, str]:
    """The servers' environment (production mode, no periodic jobs), the database migrated."""
    from tests.dbutil import reset_database

    env = {**bench_env(workdir), "AGORA_DATABASE_URL": url}
    reset_database(url)
    done = subprocess.run(
        [*agora_command(), "migrate"], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"bench-writes: `agora migrate` failed:\n{done.stdout}{done.stderr}")
    return env


# --- one measurement ----------------------------------------------------------------------------


def measure(
    engine: str, servers: list[Server], fixture: Fixture, seconds: float, warmup: float
) -> Run:
    """Every client runs until the window closes; only writes begun inside it are counted."""
    clients = [Client(n, fixture, [s.port for s in servers]) for n in range(len(fixture.people))]
    begin = time.monotonic() + 0.5
    window = Window(start=begin + warmup, stop=begin + warmup + seconds)
    threads = [threading.Thread(target=c.run, args=(window,), daemon=True) for c in clients]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, window.start - time.monotonic()))
    server_cpu, load_cpu = sum(map(worker_cpu_seconds, servers)), _own_cpu_seconds()
    time.sleep(max(0.0, window.stop - time.monotonic()))
    server_cpu = sum(map(worker_cpu_seconds, servers)) - server_cpu
    load_cpu = _own_cpu_seconds() - load_cpu
    for thread in threads:
        thread.join(60)
    run = Run(engine, len(clients), seconds, server_cpu_s=server_cpu, load_cpu_s=load_cpu)
    for client in clients:
        run.writes += client.writes
        run.refused += client.refused
        run.errors += client.errors
        for kind, ms in client.latencies_ms.items():
            run.latencies_ms.setdefault(kind, []).extend(ms)
        run.error_samples += client.error_samples[:3]
    if any(thread.is_alive() for thread in threads):
        run.problems.append("a client did not finish within 60 s of the end")
    run.problems += verify(fixture, clients, servers[0].port)
    return run


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def bench_engine(
    engine: str,
    client_counts: list[int],
    seconds: float,
    warmup: float,
    pin: bool,
    keep: bool,
    pg_cpu: str = SERVER_CPU,
) -> list[Run]:
    workdir = Path(tempfile.mkdtemp(prefix=f"agora-writes-{engine}-"))
    try:
        with database(engine, workdir, pin, pg_cpu) as url:
            if url is None:
                return []
            env = prepare(url, workdir)
            processes = 1 if engine == "sqlite" else 2
            with ExitStack() as stack:
                servers = [
                    stack.enter_context(
                        serving(
                            env,
                            workdir / "server.log",
                            ports=PORTS,
                            cpus=SERVER_CPU if pin else None,
                        )
                    )
                    for _ in range(processes)
                ]
                ports = ", ".join(str(s.port) for s in servers)
                print(f"== {engine}: {processes} server process(es) on port(s) {ports}", flush=True)
                runs = []
                for clients in client_counts:
                    fixture = seed(url, clients)
                    with ExitStack() as pinning:
                        if pin:
                            pinning.enter_context(pinned_to(LOAD_CPU))
                        run = measure(engine, servers, fixture, seconds, warmup)
                    print(f"   {HEADER.splitlines()[0]}\n   {run.row()}", flush=True)
                    print(f"   answered by kind (ms): {run.by_kind()}", flush=True)
                    for line in run.error_samples[:5] + run.problems[:10]:
                        print(f"   ! {line}", flush=True)
                    runs.append(run)
                return runs
    finally:
        if keep:
            print(f"   kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


# --- the verdict --------------------------------------------------------------------------------


def misses(runs: list[Run], *, quick: bool) -> list[str]:
    found = []
    for run in runs:
        name = f"{run.engine} at {run.clients} clients"
        if run.errors:
            found.append(f"{name}: {run.errors} errors (target 0)")
        if run.problems:
            found.append(f"{name}: {len(run.problems)} verification problems")
        if quick:
            continue
        if run.clients == 16 and not run.percentile(0.99) < MAX_P99_MS_AT_16:
            found.append(f"{name}: p99 {run.percentile(0.99):.0f} ms (target < 250 ms)")
        if run.engine == "sqlite" and run.per_second < MIN_SQLITE_WRITES_PER_S:
            found.append(f"{name}: {run.per_second:.0f} writes/s (target >= 150)")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.writes", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="16 clients for 3 s (a smoke run)")
    parser.add_argument("--seconds", type=float, help="measured seconds per run (default 30)")
    parser.add_argument("--clients", help="client counts, comma-separated (default 16,64)")
    parser.add_argument("--engines", default="sqlite,postgresql", help="sqlite and/or postgresql")
    parser.add_argument("--keep-data", action="store_true", help="keep databases and server logs")
    parser.add_argument(
        "--database-cpu",
        choices=("server", "load"),
        default="server",
        help="where the throw-away PostgreSQL runs: beside the app servers (default) or on the "
        "load generator's CPU, as a database on its own host would",
    )
    args = parser.parse_args(argv)
    seconds = args.seconds or (3.0 if args.quick else 30.0)
    warmup = 0.5 if args.quick else 3.0
    client_counts = [int(n) for n in (args.clients or ("16" if args.quick else "16,64")).split(",")]
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}")
    pin = can_pin()
    where = how_pinned(pin)
    pg_cpu = SERVER_CPU if args.database_cpu == "server" else str(LOAD_CPU)
    if pin and "postgresql" in engines:
        where += f", PostgreSQL on CPU {pg_cpu}"
    print(
        f"bench-writes: {', '.join(engines)}; {args.clients or client_counts} clients; "
        f"{seconds:g} s each after {warmup:g} s warm-up; {where}; load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    runs = [
        r
        for e in engines
        for r in bench_engine(e, client_counts, seconds, warmup, pin, args.keep_data, pg_cpu)
    ]
    print(f"\n{HEADER}")
    for run in runs:
        print(run.row())
    print(
        "writes: acknowledged (2xx) in the window; latency: every answered write; "
        "server CPU: the app process(es) only"
    )
    missed = misses(runs, quick=args.quick)
    checked = "" if args.quick else ", p99 < 250 ms at 16 clients, SQLite >= 150 writes/s"
    print(f"\nTargets: no errors, all verified{checked}")
    for line in missed:
        print(f"  MISS {line}")
    if missed:
        return 1
    print("  all met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
