"""`python -m tests.bench.profile`: where a page's time goes, sampled on the real server.

Seeds one dataset as `make bench` does (1k posts; `--large` for 100k), serves it pinned to CPU 0,
signs in, and for each target runs wrk on CPU 1 while py-spy samples the worker's thread that
holds the GIL (Python's work, not its waiting), without pausing it. Prints the worker's CPU
time per request, split between the event loop (the main thread, read from /proc: exact, where
py-spy's stacks of coroutines often come cut short) and the handler threads, and the functions
seen most often: on top of the stack (self) and, of Agora's own, anywhere in it (total), as
shares of all samples. The figures of the README's "where the time goes" come from here.

    python -m tests.bench.profile                      # floor, home, space, post at 1k posts
    python -m tests.bench.profile --targets home --seconds 20 --top 25
    python -m tests.bench.profile --page-cache 1        # the same pages served from memory
"""

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from tests.bench import ROOT
from tests.bench.dataset import build, kept
from tests.bench.load import ensure_wrk, run_wrk
from tests.bench.server import (
    LOAD_CPU,
    can_pin,
    running,
    sign_in,
    worker_cpu_seconds,
    worker_loop_cpu_seconds,
    worker_memory_mb,
    worker_pid,
)
from tests.bench.streams import FULL, _targets

_LINE_NUMBER = re.compile(r":\d+\)$")


def _frame(text: str) -> str:
    """`render (jinja2/environment.py:1295)` -> `render (jinja2/environment.py)`, shortened."""
    text = _LINE_NUMBER.sub(")", text.strip()).replace(f"({ROOT}/", "(")
    return re.sub(r"\(.*?/(site-packages|lib/python3\.\d+)/", "(", text)


def _ours(frame: str) -> bool:
    return bool(re.search(r"\((app|templates)/", frame)) or frame.endswith(".html)")


def summarise(raw: Path, top: int) -> str:
    """The top entries of py-spy's raw output (one `frame;frame;... count` line per stack)."""
    own: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame(f) for f in stack.split(";")]
        # Idle threads and the thread header carry no work of a request.
        frames = [f for f in frames if not f.startswith("process ") and "thread (" not in f]
        if not frames:
            continue
        total += count
        own[frames[-1]] += count
        for frame in set(frames):
            anywhere[frame] += count
    if not total:
        return "   no samples"
    lines = [f"   {total} samples; self:"]
    lines += [f"   {100 * n / total:5.1f}%  {name}" for name, n in own.most_common(top)]
    lines.append("   total (anywhere in the stack), Agora's own functions and templates:")
    ours = [(name, n) for name, n in anywhere.most_common() if _ours(name)][:top]
    lines += [f"   {100 * n / total:5.1f}%  {name}" for name, n in ours]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.profile", description=__doc__)
    parser.add_argument("--large", action="store_true", help="the 100k-post dataset")
    parser.add_argument("--targets", default="floor,home,space,post", help="comma-separated")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per target")
    parser.add_argument("--top", type=int, default=15, help="entries per list")
    parser.add_argument(
        "--data", type=Path, help="keep the dataset in this directory and reuse it next time"
    )
    parser.add_argument(
        "--page-cache",
        type=float,
        default=0.0,
        help="AGORA_PAGE_CACHE_SECONDS of the server (default 0: every request builds its page)",
    )
    args = parser.parse_args(argv)
    py_spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(py_spy).exists():
        raise SystemExit("profile: py-spy is not installed; run `make install` first")
    wrk = ensure_wrk()
    pin = can_pin()
    load_cpu = LOAD_CPU if pin else None
    workdir = Path(tempfile.mkdtemp(prefix="agora-profile-"))
    try:
        size = FULL[1] if args.large else FULL[0]
        fresh = build(size, workdir, search_index=False) if not args.data else None
        dataset = fresh or kept(size, args.data)
        dataset.env["AGORA_PAGE_CACHE_SECONDS"] = str(args.page_cache)
        with running(dataset, pin=pin) as server:
            cookie = sign_in(server, dataset.password)
            wanted = set(args.targets.split(","))
            for target, path in _targets(dataset.space_slug, dataset.showcase_post_id):
                if target not in wanted:
                    continue
                run_wrk(
                    wrk,
                    server.base_url,
                    target,
                    path,
                    cookie,
                    2,
                    load_cpu=load_cpu,
                )
                raw = workdir / f"{target}.txt"
                sampler = subprocess.Popen(
                    [py_spy, "record", "--nonblocking", "--gil", "--format", "raw", "--rate", "250",
                     "--duration", str(round(args.seconds)), "--output", str(raw),
                     "--pid", str(worker_pid(server))],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )  # fmt: skip
                loop_before = worker_loop_cpu_seconds(server)
                result = run_wrk(
                    wrk, server.base_url, target, path, cookie, args.seconds,
                    cpu_seconds=lambda: worker_cpu_seconds(server),
                    load_cpu=load_cpu,
                )  # fmt: skip
                loop_ms = 1000 * (worker_loop_cpu_seconds(server) - loop_before) / result.requests
                sampler.wait()
                print(
                    f"== {target} {path}: {result.rps:.0f} req/s, {result.cpu_ms:.2f} ms CPU per"
                    f" request (sampled; event loop {loop_ms:.2f} ms, handler threads"
                    f" {result.cpu_ms - loop_ms:.2f} ms), load average {result.load_average:.2f}",
                    flush=True,
                )
                print(summarise(raw, args.top), flush=True)
            rss, peak = worker_memory_mb(server)
            print(f"== worker memory: {rss:.0f} MB resident, peak {peak:.0f} MB", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
