"""Protocol benchmarks (not pytest): `python -m tests.bench.protocols [--quick]`.

1. Update latency p50/p99 with 2, 10, 50 and 200 simulated editors on one protocol: every editor
   is a real WebSocket client of a uvicorn server (port 8340 or AGORA_BENCH_PORT); each types
   a keystroke every `--interval` seconds on average; latency is from sending a keystroke to
   its text showing in the documents of three observer clients (who receive everything, as
   every editor does).
2. Room load time with 10k and 100k stored updates (replay into a Doc), compaction time, and the
   load time after compaction.
Uses a throw-away SQLite database unless AGORA_BENCH_DATABASE_URL is set.
"""

import argparse
import asyncio
import contextlib
import os
import random
import statistics
import tempfile
import time

_tmp = tempfile.mkdtemp(prefix="agora-bench-")
DATABASE_URL = os.environ.get("AGORA_BENCH_DATABASE_URL") or f"sqlite:///{_tmp}/bench.db"
os.environ.update(
    AGORA_DATABASE_URL=DATABASE_URL,
    AGORA_ENV="test",
    AGORA_SEED_DEMO="0",
    AGORA_SECRET_KEY="bench-secret-key-that-is-long-enough-0123456789",
)

from pycrdt import Doc, Text, TransactionEvent  # noqa: E402
from sqlalchemy import insert, update  # noqa: E402
from sqlmodel import Session  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402
from websockets.exceptions import ConnectionClosed  # noqa: E402

from app.cli import run_migrations  # noqa: E402
from app.core.config import get_settings  # noqa: E402
from app.core.db import get_engine, utcnow  # noqa: E402
from app.people.service import create_api_token, create_user  # noqa: E402
from app.protocols import service, store  # noqa: E402
from app.protocols.models import Protocol, ProtocolUpdate  # noqa: E402
from app.spaces.access import access_for  # noqa: E402
from app.spaces.service import add_member, create_space  # noqa: E402
from tests.dbutil import reset_database  # noqa: E402
from tests.protocols.live import LiveServer  # noqa: E402
from tests.protocols.yclient import YClient  # noqa: E402

PORT = int(os.environ.get("AGORA_BENCH_PORT", "8340"))  # a shared machine: pick your range


def setup(editors: int) -> tuple[int, list[str]]:
    with Session(get_engine(), expire_on_commit=False) as s:
        host = create_user(
            s,
            email=f"host{time.time_ns()}@bench.local",
            display_name="Host",
            password="bench-password-1",
        )
        space = create_space(s, creator=host, name=f"Bench {time.time_ns()}")
        tokens = [create_api_token(s, user=host, name="bench")]
        for i in range(min(editors, 20) - 1):
            person = create_user(
                s,
                email=f"e{i}-{time.time_ns()}@bench.local",
                display_name=f"E{i}",
                password="bench-password-1",
            )
            add_member(s, access=access_for(s, host, space), user=person)
            tokens.append(create_api_token(s, user=person, name="bench"))
        protocol = service.create_protocol(
            s, access=access_for(s, host, space), title="Bench", text=""
        )
        s.commit()
        return int(protocol.id), tokens  # type: ignore[arg-type]


OBSERVERS = 3


async def latency_run(editors: int, seconds: float, interval: float) -> dict[str, float]:
    """Editors type; a few extra observers apply every update to their own Doc and time when
    each keystroke's token appears (so merged or batched relays are measured correctly)."""
    protocol_id, tokens = setup(editors)
    url = f"ws://127.0.0.1:{PORT}/api/v1/protocols/{protocol_id}/sync"
    sent: dict[str, float] = {}
    samples: list[float] = []
    stop = asyncio.Event()
    clients = editors + OBSERVERS
    ready = 0
    all_ready = asyncio.Event()

    async def join(ws, y: YClient) -> None:  # type: ignore[no-untyped-def]
        nonlocal ready
        await ws.send(y.hello())
        while not y.synced:
            for reply in y.feed(await ws.recv()):
                await ws.send(reply)
        ready += 1
        if ready == clients:
            all_ready.set()
        await all_ready.wait()

    def headers(i: int) -> dict[str, str]:
        return {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}

    async def observer(i: int) -> None:
        y = YClient()

        def seen(event) -> None:  # type: ignore[no-untyped-def]
            now = time.perf_counter()
            for op in event.delta:
                for token in str(op.get("insert", "")).split():
                    if token in sent:
                        samples.append(now - sent[token])

        y.text.observe(seen)
        async with connect(url, additional_headers=headers(i), max_size=None) as ws:
            await join(ws, y)
            with contextlib.suppress(ConnectionClosed):
                async for message in ws:
                    y.feed(message)

    async def editor(i: int) -> None:
        y = YClient()
        async with connect(url, additional_headers=headers(i), max_size=None) as ws:
            await join(ws, y)

            async def drain() -> None:
                with contextlib.suppress(ConnectionClosed):
                    async for _message in ws:
                        pass

            reader = asyncio.create_task(drain())
            local = Doc()
            text = local.get("content", type=Text)
            captured: list[bytes] = []
            local.observe(lambda e: captured.append(e.update))
            await asyncio.sleep(random.random() * interval)
            k = 0
            while not stop.is_set():
                token = f"{i}.{k}"
                text.insert(0, token + " ")
                k += 1
                sent[token] = time.perf_counter()
                await ws.send(y_message(captured.pop()))
                await asyncio.sleep(interval * (0.5 + random.random()))
            reader.cancel()
            await asyncio.gather(reader, return_exceptions=True)

    tasks = [asyncio.create_task(editor(i)) for i in range(editors)]
    tasks += [asyncio.create_task(observer(i)) for i in range(OBSERVERS)]
    await asyncio.wait_for(all_ready.wait(), 180)
    await asyncio.sleep(seconds)
    stop.set()
    await asyncio.sleep(1.5)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    samples.sort()
    return {
        "editors": editors,
        "updates": len(sent),
        "deliveries": len(samples),
        "p50_ms": 1000 * statistics.median(samples) if samples else float("nan"),
        "p99_ms": 1000 * samples[max(0, int(len(samples) * 0.99) - 1)] if samples else float("nan"),
    }


def y_message(update: bytes) -> bytes:
    from pycrdt import write_var_uint

    return b"\x00\x02" + write_var_uint(len(update)) + update


def load_run(count: int) -> dict[str, float]:
    protocol_id, _tokens = setup(1)
    doc = Doc()
    text = doc.get("content", type=Text)
    updates: list[bytes] = []

    def keep(event: TransactionEvent) -> None:
        updates.append(event.update)

    doc.observe(keep)
    # Like people typing: runs of keystrokes at a cursor that jumps now and then, some deletes.
    rng = random.Random(1)
    cursor = 0
    for i in range(count):
        if i % 40 == 0:
            cursor = rng.randrange(len(text) + 1)
        if i % 10 == 9 and cursor > 0:
            del text[cursor - 1 : cursor]
            cursor -= 1
        else:
            text.insert(cursor, "abcdefgh"[i % 8])
            cursor += 1
    now = utcnow()
    with Session(get_engine()) as s:
        for start in range(0, count, 5000):
            s.execute(
                insert(ProtocolUpdate),
                [
                    {
                        "protocol_id": protocol_id,
                        "seq": 2 + start + j,
                        "data": u,
                        "user_id": None,
                        "created_at": now,
                    }
                    for j, u in enumerate(updates[start : start + 5000])
                ],
            )
        s.execute(update(Protocol).where(Protocol.id == protocol_id).values(last_seq=1 + count))  # type: ignore[arg-type]
        s.commit()
    started = time.perf_counter()
    loaded = store.load_doc(protocol_id)
    load_s = time.perf_counter() - started
    assert str(store.doc_text(loaded.doc)) == str(text)
    started = time.perf_counter()
    store.compact(protocol_id, loaded.doc, loaded.seq)
    compact_s = time.perf_counter() - started
    started = time.perf_counter()
    again = store.load_doc(protocol_id)
    after_s = time.perf_counter() - started
    assert str(store.doc_text(again.doc)) == str(text)
    return {
        "updates": count,
        "load_s": load_s,
        "compact_s": compact_s,
        "load_after_compaction_s": after_s,
        "text_chars": len(str(text)),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="fewer editors and updates")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument(
        "--interval", type=float, default=2.0, help="mean seconds between keystrokes per editor"
    )
    parser.add_argument("--loads", default="10000,100000", help="stored update counts to load")
    parser.add_argument("--editors", default="2,10,50,200", help="editor counts for latency")
    args = parser.parse_args()
    get_settings.cache_clear()
    get_engine.cache_clear()
    reset_database(DATABASE_URL)
    run_migrations()
    levels = [2, 10] if args.quick else [int(n) for n in args.editors.split(",") if n]
    server = LiveServer(PORT, DATABASE_URL).start()
    try:
        print(f"database: {DATABASE_URL.split('@')[-1]}")
        print(f"latency: a keystroke every {args.interval}s per editor, {args.seconds}s per level")
        for editors in levels:
            r = asyncio.run(latency_run(editors, args.seconds, args.interval))
            print(
                f"  {r['editors']:>4} editors: {r['updates']:>6} updates, "
                f"{r['deliveries']:>8} deliveries, "
                f"p50 {r['p50_ms']:7.1f} ms, p99 {r['p99_ms']:7.1f} ms"
            )
    finally:
        server.stop()
    loads = [int(n) for n in args.loads.split(",") if n]  # "" skips the load figures
    for count in [10_000] if args.quick else loads:
        r = load_run(count)
        print(
            f"room load: {r['updates']:>7} updates ({r['text_chars']} chars): "
            f"load {r['load_s']:.2f}s, compact {r['compact_s']:.3f}s, "
            f"load after compaction {r['load_after_compaction_s']:.3f}s"
        )


if __name__ == "__main__":
    main()
