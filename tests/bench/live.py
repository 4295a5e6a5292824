"""Live streams under load (not pytest): `python -m tests.bench.live [--streams 1000] [--quick]`.

Opens many server-sent-event streams (`/api/v1/live?follow=post:P`, one person each, all readers
of the post) against a real `agora serve --workers 1`, then measures:
- memory the worker adds per open stream (VmRSS before and after opening them),
- the worker's CPU while every stream sits idle (`--idle` seconds),
- latency from the start of a write (a comment posted over the API) to its `comments` event on
  every stream (p50 / p99 / max over all streams and writes; every stream must get every write).
SQLite with one process; PostgreSQL with two processes, the streams spread over both and every
write sent to the first (`AGORA_BENCH_DATABASE_URL` or `AGORA_TEST_DATABASE_URL`, whose public
schema is dropped; else a throw-away server from scripts/pg_tmp.sh; skipped when there is none).
With two cores the servers (and a throw-away PostgreSQL) are pinned to CPU 0 and this process,
the load generator holding every stream, to CPU 1; its own CPU per write is reported beside the
workers', so a slow client shows. `--profile` samples the workers with py-spy during the writes.
Ports 8850-8899 unless AGORA_BENCH_PORTS says otherwise ("8850-8899"). Exits non-zero when a p99
is 1 s or more, or a delivery is missing.
"""

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from app.core.db import make_engine
from app.core.pagination import Cursor
from app.core.security import SESSION_COOKIE, start_session
from app.people.service import create_api_token, create_user
from app.posts.models import Comment
from app.posts.service import create_post
from app.spaces.access import access_for
from app.spaces.service import add_member, create_space
from tests.bench.profile import summarise
from tests.bench.server import (
    LOAD_CPU,
    SERVER_CPU,
    Server,
    can_pin,
    serving,
    worker_cpu_seconds,
    worker_memory_mb,
    worker_pid,
)
from tests.bench.writes import database, pinned_to, prepare

TARGET_P99_S = 1.0


def _ports() -> range:
    low, _dash, high = os.environ.get("AGORA_BENCH_PORTS", "8850-8899").partition("-")
    return range(int(low), int(high) + 1)


@dataclass
class Fixture:
    post_id: int
    writer_token: str
    tokens: list[str]
    cookies: list[str]  # each reader's signed-in session, for the page's fragment (`--fetch`)


def seed(url: str, streams: int) -> Fixture:
    """A space whose members each hold one stream; its host writes the comments."""
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as s:
            host = create_user(s, email="host@bench.local", display_name="Bench host")
            people = [
                create_user(s, email=f"reader{n}@bench.local", display_name=f"Reader {n}")
                for n in range(streams)
            ]
            space = create_space(s, creator=host, name="Live bench", visibility="private")
            access = access_for(s, host, space)
            for person in people:
                add_member(s, access=access, user=person)
            post = create_post(s, access=access, title="Live bench", body="Comment here.")
            tokens = [create_api_token(s, user=p, name="bench-live") for p in [host, *people]]
            cookies = [start_session(s, user=p) for p in people]
            s.commit()
            return Fixture(int(post.id), tokens[0], tokens[1:], cookies)  # type: ignore[arg-type]
    finally:
        engine.dispose()


@dataclass
class Streams:
    """Every open stream's arrival times of `comments` events (monotonic seconds)."""

    arrivals: list[list[float]] = field(default_factory=list)
    opened: int = 0
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    # With `--fetch`: each stream then asks for the new comments as the page does (htmx's
    # `hx-get` on `sse:comments`); the path once set, and each stream's fragment arrival times.
    fragment: str | None = None
    fetched: list[list[float]] = field(default_factory=list)
    fetches: set[asyncio.Task[None]] = field(default_factory=set)


async def _fetch(port: int, cookie: str, path: str, done: list[float]) -> None:
    """The page's fragment request on a fresh connection, as each reader's browser sends it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: bench\r\nCookie: {SESSION_COOKIE}={cookie}\r\n"
            "HX-Request: true\r\nHX-Target: comments-live\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    answer = await reader.read()
    writer.close()
    if b" 200 " not in answer.split(b"\r\n", 1)[0]:
        raise SystemExit(f"bench-live: a fragment answered {answer[:200]!r}")
    done.append(time.monotonic())


async def _hold(
    port: int,
    token: str,
    post_id: int,
    got: list[float],
    ready: asyncio.Event,
    held: "Streams",
    cookie: str,
    done: list[float],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        (
            f"GET /api/v1/live?follow=post:{post_id} HTTP/1.1\r\nHost: bench\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    status = await reader.readline()
    if b" 200 " not in status:
        raise SystemExit(f"bench-live: a stream answered {status!r}")
    ready.set()
    try:
        while line := await reader.readline():
            # One event per chunk (sse-starlette), so its lines arrive whole.
            if line.startswith(b"event: comments"):
                got.append(time.monotonic())
                if held.fragment is not None:
                    task = asyncio.create_task(_fetch(port, cookie, held.fragment, done))
                    held.fetches.add(task)
                    task.add_done_callback(held.fetches.discard)
    finally:
        writer.close()


async def open_streams(servers: list[Server], fixture: Fixture) -> Streams:
    held = Streams()
    for n, token in enumerate(fixture.tokens):
        got: list[float] = []
        ready = asyncio.Event()
        port = servers[n % len(servers)].port
        done: list[float] = []
        held.arrivals.append(got)
        held.fetched.append(done)
        hold = _hold(port, token, fixture.post_id, got, ready, held, fixture.cookies[n], done)
        held.tasks.append(asyncio.create_task(hold))
        await ready.wait()
        held.opened += 1
    return held


def _comment(server: Server, token: str, post_id: int, n: int) -> None:
    body = json.dumps({"body": f"Live bench comment {n}"}).encode()
    request = urllib.request.Request(
        f"{server.base_url}/api/v1/posts/{post_id}/comments",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        if response.status != 201:
            raise SystemExit(f"bench-live: a comment answered {response.status}")


@dataclass
class Fetched:
    """Write to the page's fragment (`--fetch`): p50 / p99 seconds, and the workers' CPU."""

    p50: float
    p99: float
    missing: int
    cpu_per_write: float


@dataclass
class Result:
    label: str
    streams: int
    mb_per_stream: float
    idle_cpu_percent: float
    p50: float
    p99: float
    worst: float
    missing: int
    cpu_per_write: float  # the workers' CPU seconds per write and its fan-out to every stream
    load_cpu_per_write: float  # this process's (the streams' reader's) CPU seconds per write
    load_average: float
    fetched: Fetched | None = None

    def fetch_row(self) -> str:
        f = self.fetched
        if f is None:
            return ""
        return (
            f"{self.label}, {self.streams} pages fetching their fragment: write to fragment p50"
            f" {f.p50 * 1000:.0f} ms, p99 {f.p99 * 1000:.0f} ms, missing {f.missing},"
            f" worker CPU per write {f.cpu_per_write * 1000:.0f} ms"
        )

    def row(self) -> str:
        return (
            f"| {self.label} | {self.streams} | {self.mb_per_stream * 1024:.0f} KB | "
            f"{self.idle_cpu_percent:.1f} % | {self.p50 * 1000:.0f} ms | {self.p99 * 1000:.0f} ms"
            f" | {self.worst * 1000:.0f} ms | {self.missing} | {self.cpu_per_write * 1000:.0f} ms"
            f" | {self.load_cpu_per_write * 1000:.0f} ms | {self.load_average:.1f} |"
        )


HEADER = (
    "| setup | streams | memory per stream | worker CPU idle | p50 | p99 | max | missing"
    " | worker CPU per write | load generator CPU per write | load average |\n"
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
)


def _own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def _sample(servers: list[Server], seconds: float, raw: Path) -> list[subprocess.Popen[bytes]]:
    """py-spy on every worker (the thread holding the GIL), for the writes' duration."""
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    samplers = []
    for n, server in enumerate(servers):
        command = [py_spy, "record", "--nonblocking", "--gil", "--format", "raw"]
        command += ["--rate", "500", "--duration", str(round(seconds)), "--output", f"{raw}.{n}"]
        command += ["--pid", str(worker_pid(server))]
        samplers.append(
            subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        )
    return samplers


async def measure(
    label: str,
    servers: list[Server],
    fixture: Fixture,
    writes: int,
    idle: float,
    profile: Path | None = None,
    fetch: tuple[str, int] | None = None,
) -> Result:
    before = sum(worker_memory_mb(s)[0] for s in servers)
    held = await open_streams(servers, fixture)
    await asyncio.sleep(2)  # let every stream settle (its first read is done)
    after = sum(worker_memory_mb(s)[0] for s in servers)
    cpu = sum(worker_cpu_seconds(s) for s in servers)
    await asyncio.sleep(idle)
    idle_cpu = (sum(worker_cpu_seconds(s) for s in servers) - cpu) / idle / len(servers) * 100

    latencies: list[float] = []
    missing = 0
    # One write first, not counted: the first request of its kind warms the server's caches.
    await asyncio.to_thread(_comment, servers[0], fixture.writer_token, fixture.post_id, -1)
    await asyncio.sleep(2)
    samplers = _sample(servers, writes * 1.5 + 1, profile) if profile else []
    cpu = sum(worker_cpu_seconds(s) for s in servers)
    load_cpu = _own_cpu_seconds()
    for n in range(writes):
        counts = [len(got) for got in held.arrivals]
        start = time.monotonic()
        await asyncio.to_thread(_comment, servers[0], fixture.writer_token, fixture.post_id, n)
        deadline = start + 10
        while time.monotonic() < deadline and any(
            len(got) <= count for got, count in zip(held.arrivals, counts, strict=True)
        ):
            await asyncio.sleep(0.01)
        for got, count in zip(held.arrivals, counts, strict=True):
            if len(got) > count:
                latencies.append(got[count] - start)
            else:
                missing += 1
        await asyncio.sleep(0.5)
    # Less the idle CPU of the half-second pauses: what the writes and their deliveries cost.
    busy = sum(worker_cpu_seconds(s) for s in servers) - cpu
    busy -= idle_cpu / 100 * len(servers) * 0.5 * writes
    load_cpu = _own_cpu_seconds() - load_cpu
    for sampler in samplers:
        await asyncio.to_thread(sampler.wait)
    fetched = None
    if fetch:
        url, fetch_writes = fetch
        samplers = (
            _sample(servers, fetch_writes * 5, profile.with_suffix(".fetch")) if profile else []
        )
        fetched = await _fetch_phase(servers, fixture, held, url, fetch_writes)
        for sampler in samplers:
            await asyncio.to_thread(sampler.wait)
    for task in held.tasks:
        task.cancel()
    await asyncio.gather(*held.tasks, return_exceptions=True)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0
    return Result(
        label=label,
        streams=held.opened,
        mb_per_stream=(after - before) / max(1, held.opened),
        idle_cpu_percent=idle_cpu,
        p50=statistics.median(latencies) if latencies else 0.0,
        p99=p99,
        worst=latencies[-1] if latencies else 0.0,
        missing=missing,
        cpu_per_write=max(0.0, busy) / max(1, writes),
        load_cpu_per_write=load_cpu / max(1, writes),
        load_average=os.getloadavg()[0],
        fetched=fetched,
    )


def _newest_cursor(url: str, post_id: int) -> str:
    engine = make_engine(url)
    try:
        with Session(engine) as s:
            last = s.exec(
                select(Comment)
                .where(Comment.post_id == post_id)
                .order_by(col(Comment.created_at).desc(), col(Comment.id).desc())
            ).first()
            assert last is not None and last.id is not None
            return Cursor(last.created_at, last.id).encode()
    finally:
        engine.dispose()


async def _fetch_phase(
    servers: list[Server], fixture: Fixture, held: Streams, url: str, writes: int
) -> Fetched:
    """Writes whose event makes every stream fetch the new comments, as the open page does:
    the time from the write to each page's fragment, and the workers' CPU per write."""
    cursor = await asyncio.to_thread(_newest_cursor, url, fixture.post_id)
    held.fragment = f"/posts/{fixture.post_id}?cursor={cursor}"
    latencies: list[float] = []
    missing = 0
    cpu = sum(worker_cpu_seconds(s) for s in servers)
    for n in range(writes):
        counts = [len(done) for done in held.fetched]
        start = time.monotonic()
        await asyncio.to_thread(_comment, servers[0], fixture.writer_token, fixture.post_id, n)
        deadline = start + 60
        while time.monotonic() < deadline and any(
            len(done) <= count for done, count in zip(held.fetched, counts, strict=True)
        ):
            await asyncio.sleep(0.01)
        for done, count in zip(held.fetched, counts, strict=True):
            if len(done) > count:
                latencies.append(done[count] - start)
            else:
                missing += 1
        await asyncio.sleep(0.5)
    busy = sum(worker_cpu_seconds(s) for s in servers) - cpu
    held.fragment = None
    latencies.sort()
    return Fetched(
        p50=statistics.median(latencies) if latencies else 0.0,
        p99=latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
        missing=missing,
        cpu_per_write=busy / max(1, writes),
    )


def bench(
    engine: str, streams: int, writes: int, idle: float, profile: bool = False, fetch: int = 0
) -> Result | None:
    workdir = Path(tempfile.mkdtemp(prefix=f"agora-live-{engine}-"))
    pin = can_pin()
    cpus = SERVER_CPU if pin else None
    with database(engine, workdir, pin=pin) as url:
        if url is None:
            return None
        env = prepare(url, workdir)
        fixture = seed(url, streams)
        count = 1 if engine == "sqlite" else 2
        label = "SQLite, 1 process" if engine == "sqlite" else "PostgreSQL, 2 processes"
        log = workdir / "server.log"
        raw = workdir / "profile.txt" if profile else None
        with serving(env, log, ports=_ports(), cpus=cpus) as first:
            servers = [first]
            with contextlib.ExitStack() as more:
                if count == 2:
                    servers.append(more.enter_context(serving(env, log, ports=_ports(), cpus=cpus)))
                with pinned_to(LOAD_CPU) if pin else contextlib.nullcontext():
                    fetching = (url, fetch) if fetch else None
                    work = measure(label, servers, fixture, writes, idle, raw, fetching)
                    result = asyncio.run(work)
        phases = [("writes", raw), ("fetches", raw.with_suffix(".fetch"))] if raw else []
        for phase, stem in phases:
            for n in range(count):
                print(f"== {label}, worker {n + 1}: where its CPU went during the {phase}")
                sampled = Path(f"{stem}.{n}")
                print(summarise(sampled, 25) if sampled.exists() else "   (none)", flush=True)
        return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=10)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="50 streams, 3 writes, 2 s idle")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers' writes")
    parser.add_argument(
        "--fetch",
        type=int,
        default=0,
        metavar="WRITES",
        help="then this many writes whose event makes every page fetch its fragment",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.streams, args.writes, args.idle = 50, 3, 2.0
    results = []
    for engine in args.engines.split(","):
        result = bench(engine, args.streams, args.writes, args.idle, args.profile, args.fetch)
        if result is None:
            print(f"bench-live: {engine} skipped (no PostgreSQL)")
            continue
        results.append(result)
        print(result.row(), flush=True)
    print(HEADER)
    for result in results:
        print(result.row())
    for result in results:
        if result.fetched is not None:
            print(result.fetch_row())
    failed = [r for r in results if r.p99 >= TARGET_P99_S or r.missing]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
