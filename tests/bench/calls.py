"""`python -m tests.bench.calls`: what a page costs, counted: no load on the machine moves it.

Seeds the `make bench` 1k dataset, runs the app in this process with production settings, signs
in, and for each target counts per request (10 requests after 3 warm ones): Python function calls
(in every thread), SQL statements, and templates rendered (their `root` functions started: one
per page, include or import with context). The README's "deterministic" table comes from here.
"""

import argparse
import os
import re
import shutil
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from tests.bench import ROOT
from tests.bench.dataset import VIEWER_EMAIL, Dataset, build, kept
from tests.bench.streams import FULL, _targets

REQUESTS = 10
_counting = False
_counts: Counter[str] = Counter()
_by_function: Counter[CodeType] = Counter()
_start_offset: dict[CodeType, int] = {}


def _on_event(frame: FrameType, event: str, _arg: Any) -> None:
    if _counting and event == "call":
        _counts["calls"] += 1
        code = frame.f_code
        _by_function[code] += 1
        # A template's root is a generator, called again at every resumption: count its starts
        # (the first call of a code object is a start, and every start begins at its offset).
        template = code.co_name == "root" and code.co_filename.endswith(".html")
        if template and _start_offset.setdefault(code, frame.f_lasti) == frame.f_lasti:
            _counts["templates"] += 1


def _on_statement(*_args: Any) -> None:
    if _counting:
        _counts["queries"] += 1


def _where(code: CodeType) -> str:
    """`name (path:line)`, the path from the project or from the installed package."""
    path = code.co_filename.removeprefix(f"{ROOT}/")
    path = re.sub(r"^.*/(site-packages|lib/python3\.\d+)/", "", path)
    return f"{code.co_name} ({path}:{code.co_firstlineno})"


@contextmanager
def signed_in_client(dataset: Dataset) -> Iterator[Any]:
    """The app in this process with the dataset's settings (production, https cookies), and a
    test client signed in as the bench viewer."""
    os.environ.update({k: v for k, v in dataset.env.items() if k.startswith("AGORA_")})
    os.environ["AGORA_BASE_URL"] = "https://testserver"  # Secure cookies travel over https
    from fastapi.testclient import TestClient

    from app.main import create_app

    with TestClient(create_app(), base_url="https://testserver") as client:
        client.get("/login")
        form = {
            "email": VIEWER_EMAIL,
            "password": dataset.password,
            "csrf_token": client.cookies.get("agora_csrf") or "",
            "next": "/",
        }
        signed_in = client.post("/login", data=form, follow_redirects=False)
        if signed_in.status_code != 303:
            raise SystemExit(f"bench: sign-in failed ({signed_in.status_code})")
        yield client


def main(argv: list[str] | None = None) -> int:
    global _counting
    parser = argparse.ArgumentParser(prog="python -m tests.bench.calls", description=__doc__)
    parser.add_argument("--top", type=int, default=0, help="also list the N most called functions")
    parser.add_argument("--targets", default="floor,home,space,post", help="comma-separated")
    parser.add_argument(
        "--data", type=Path, help="keep the dataset in this directory and reuse it next time"
    )
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="agora-calls-"))
    try:
        fresh = build(FULL[0], workdir, search_index=False) if not args.data else None
        dataset = fresh or kept(FULL[0], args.data)
        # Every thread started from here on is counted too (the handlers run in worker threads).
        threading.setprofile(_on_event)
        sys.setprofile(_on_event)
        with signed_in_client(dataset) as client:
            from sqlalchemy import event

            from app.core.db import get_engine

            event.listen(get_engine(), "before_cursor_execute", _on_statement)
            for target, path in _targets(dataset.space_slug, dataset.showcase_post_id):
                if target not in args.targets.split(","):
                    continue
                for _ in range(3):
                    client.get(path)
                _counts.clear()
                _by_function.clear()
                _counting = True
                for _ in range(REQUESTS):
                    client.get(path)
                _counting = False
                print(
                    f"{target:<6} {path:<24} calls/request {_counts['calls'] / REQUESTS:8.0f}"
                    f"  queries/request {_counts['queries'] / REQUESTS:5.1f}"
                    f"  templates/request {_counts['templates'] / REQUESTS:5.1f}",
                    flush=True,
                )
                for code, n in _by_function.most_common(args.top):
                    print(f"   {n / REQUESTS:8.1f}  {_where(code)}", flush=True)
    finally:
        sys.setprofile(None)
        threading.setprofile(None)  # type: ignore[arg-type]
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
