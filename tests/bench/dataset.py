"""A fresh benchmark database, made the way an operator would: through the `agora` command."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from tests.bench import ROOT

VIEWER_EMAIL = "bench-viewer@agora.local"
SHOWCASE_COMMENTS = 300


@dataclass(frozen=True)
class Size:
    """One dataset size: the synthetic rows seed-demo adds on top of the demo community."""

    name: str
    users: int
    spaces: int
    posts: int
    comments: int


@dataclass
class Dataset:
    size: Size
    directory: Path
    env: dict[str, str]
    password: str
    space_slug: str
    showcase_post_id: int
    seed_seconds: float

    @property
    def database(self) -> Path:
        return self.directory / "agora.db"


def agora_command() -> list[str]:
    """The installed `agora` entry point next to this interpreter (the project's venv)."""
    script = Path(sys.executable).parent / "agora"
    if not script.exists():
        raise SystemExit(f"bench: {script} not found; run `make install` first")
    return [str(script)]


def bench_env(directory: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AGORA_")}
    env.update(
        AGORA_DATABASE_URL=f"sqlite:///{directory / 'agora.db'}",
        AGORA_ENV="production",
        AGORA_SECRET_KEY=secrets.token_urlsafe(48),
        AGORA_SEED_DEMO="0",
        # Periodic jobs belong to `agora worker` here, as on a large site: a catch-up pass over
        # a freshly loaded 100k-post site costs the serving process 20 s of CPU, which the
        # page measurements would count as theirs.
        AGORA_RUN_JOBS="0",
        # The pages' own cost: wrk asks for one page again and again with one cookie, which the
        # one-second page cache (issue 19) would answer from memory after the first request.
        # `python -m tests.bench.profile --page-cache 1` measures those hits.
        AGORA_PAGE_CACHE_SECONDS="0",
    )
    return env


def _run(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    done = subprocess.run(
        agora_command() + args,
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: `agora {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def build(size: Size, directory: Path, *, search_index: bool = True) -> Dataset:
    """migrate, create the viewer, seed in bulk; then look up the pages to load.

    The page benchmarks pass `search_index=False`: they do not search, and indexing a million
    comments takes hours on a shared machine."""
    directory.mkdir(parents=True, exist_ok=True)
    env = bench_env(directory)
    password = secrets.token_urlsafe(18)
    started = time.perf_counter()
    _run(["migrate"], env)
    _run(["users", "create", VIEWER_EMAIL, "--name", "Bench Viewer"], env, stdin=password + "\n")
    _run(
        [
            "seed-demo",
            f"--users={size.users}",
            f"--spaces={size.spaces}",
            f"--posts={size.posts}",
            f"--comments={size.comments}",
            f"--member={VIEWER_EMAIL}",
            "--search-index" if search_index else "--no-search-index",
        ],
        env,
    )
    seed_seconds = time.perf_counter() - started
    slug, post_id = _targets(directory / "agora.db")
    return Dataset(size, directory, env, password, slug, post_id, seed_seconds)


def kept(size: Size, directory: Path) -> Dataset:
    """The dataset kept in `directory` by an earlier run (its `dataset.json`), or a new one
    built there and kept: a 100k-post site need not be seeded for every profile."""
    saved = directory / "dataset.json"
    if saved.exists():
        data = json.loads(saved.read_text())
        if data["size"] != size.name:
            raise SystemExit(f"bench: {directory} holds the {data['size']} dataset")
        env = bench_env(directory) | {"AGORA_SECRET_KEY": data["secret_key"]}
        slug, post_id = _targets(directory / "agora.db")
        return Dataset(size, directory, env, data["password"], slug, post_id, data["seconds"])
    dataset = build(size, directory, search_index=False)
    saved.write_text(
        json.dumps(
            {
                "size": size.name,
                "password": dataset.password,
                "secret_key": dataset.env["AGORA_SECRET_KEY"],
                "seconds": dataset.seed_seconds,
            }
        )
    )
    return dataset


def _targets(database: Path) -> tuple[str, int]:
    """The viewer's first synthetic space, and the first post with exactly 300 comments."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        slug_row = db.execute(
            "SELECT s.slug FROM spaces s JOIN memberships m ON m.space_id = s.id "
            "JOIN users u ON u.id = m.user_id "
            "WHERE u.email = ? AND m.state = 'active' AND s.slug LIKE 'bench-space-%' "
            "ORDER BY s.id LIMIT 1",
            (VIEWER_EMAIL,),
        ).fetchone()
        post_row = db.execute(
            "SELECT id FROM posts WHERE comment_count = ? AND deleted_at IS NULL "
            "ORDER BY id LIMIT 1",
            (SHOWCASE_COMMENTS,),
        ).fetchone()
    if slug_row is None or post_row is None:
        raise SystemExit("bench: the seeded data has no viewer space or no post with 300 comments")
    return str(slug_row[0]), int(post_row[0])
