"""The real server for the benchmark: start, sign in over HTTP, measure memory, stop."""

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.bench import ROOT
from tests.bench.dataset import VIEWER_EMAIL, Dataset, agora_command


def _ports() -> range:
    """8200-8299, or AGORA_BENCH_PORTS ("8950-8999") when several people bench on one machine."""
    first, _, last = os.environ.get("AGORA_BENCH_PORTS", "8200-8299").partition("-")
    return range(int(first), int(last or first) + 1)


PORTS = _ports()  # this benchmark's own port range
HOST = "127.0.0.1"
# On a machine with two or more cores the server and the load generator get one core each: on
# shared cores the load generator takes CPU from the server, and at the floor's request rate
# that made the floor read about five times lower than it was (issue 19).
SERVER_CPU, LOAD_CPU = "0", 1


def can_pin() -> bool:
    return (os.cpu_count() or 1) >= 2 and shutil.which("taskset") is not None


def how_pinned(pin: bool) -> str:
    return f"server on CPU {SERVER_CPU}, load on CPU {LOAD_CPU}" if pin else "unpinned (no taskset)"


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"


def free_port(ports: range = PORTS) -> int:
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                continue
            return port
    raise SystemExit(f"bench: no free port in {ports.start}-{ports.stop - 1}")


@contextmanager
def running(dataset: Dataset, *, pin: bool = False) -> Iterator[Server]:
    """`agora serve --no-migrate --workers 1` on a free port of ours (on SERVER_CPU with `pin`);
    stopped on the way out."""
    cpus = SERVER_CPU if pin else None
    with serving(dataset.env, dataset.directory / "server.log", cpus=cpus) as server:
        yield server


@contextmanager
def serving(
    env: dict[str, str], log: Path, *, ports: range = PORTS, cpus: str | None = None
) -> Iterator[Server]:
    """`agora serve --no-migrate --workers 1` with this environment on a free port of `ports`,
    its output appended to `log`; with `cpus` (e.g. "0") pinned there by `taskset`, so it
    does not share a core with the load generator. Stopped on the way out."""
    port = free_port(ports)
    pin = ["taskset", "--cpu-list", cpus] if cpus is not None else []
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                *pin,
                *agora_command(),
                "serve",
                "--no-migrate",
                "--workers",
                "1",
                "--host",
                HOST,
                "--port",
                str(port),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise SystemExit(f"bench: the server exited early; see {server.log}")
        try:
            status, _headers, _body = request(server, "GET", "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"bench: the server did not answer /healthz within {timeout:.0f} s")


def request(
    server: Server, method: str, path: str, body: str | None = None, cookie: str = ""
) -> tuple[int, list[tuple[str, str]], bytes]:
    conn = http.client.HTTPConnection(HOST, server.port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _cookie(headers: list[tuple[str, str]], name: str) -> str | None:
    # The cookies are Secure in production; over plain loopback HTTP we carry them by hand.
    for key, value in headers:
        if key.lower() == "set-cookie":
            found = re.match(rf"\s*{name}=([^;]*)", value)
            if found:
                return found.group(1)
    return None


def sign_in(server: Server, password: str) -> str:
    """GET /login for the CSRF cookie, POST /login with it; returns the Cookie header to send."""
    _status, headers, _body = request(server, "GET", "/login")
    csrf = _cookie(headers, "agora_csrf")
    if not csrf:
        raise SystemExit("bench: GET /login set no agora_csrf cookie")
    form = urllib.parse.urlencode(
        {"email": VIEWER_EMAIL, "password": password, "csrf_token": csrf, "next": "/"}
    )
    status, headers, body = request(server, "POST", "/login", form, cookie=f"agora_csrf={csrf}")
    session = _cookie(headers, "agora_session")
    if status != 303 or not session:
        raise SystemExit(f"bench: sign-in failed ({status}): {body[:300]!r}")
    cookie = f"agora_session={session}; agora_csrf={csrf}"
    status, _headers, body = request(server, "GET", "/ping", cookie=cookie)
    if status != 200:
        raise SystemExit(f"bench: /ping after sign-in answered {status}: {body[:300]!r}")
    return cookie


def _status_kb(pid: int, field: str) -> int:
    text = Path(f"/proc/{pid}/status").read_text()
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found.group(1)) if found else 0


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children = (task / "children").read_text().split()
        found += [int(c) for c in children]
    return found


def worker_pid(server: Server) -> int:
    """The process that serves requests: with one worker uvicorn serves in the main process;
    with a supervisor in between, its busiest (largest) child."""
    pid = server.process.pid
    children = _children(pid)
    if not children:
        return pid
    return max(children, key=lambda child: _status_kb(child, "VmRSS"))


def worker_memory_mb(server: Server) -> tuple[float, float]:
    """(VmRSS, VmHWM) of the worker in MB: now, and the peak so far."""
    pid = worker_pid(server)
    return _status_kb(pid, "VmRSS") / 1024, _status_kb(pid, "VmHWM") / 1024


def _cpu_seconds(stat: Path) -> float:
    fields = stat.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_cpu_seconds(server: Server) -> float:
    """User plus system CPU time the worker has used so far."""
    return _cpu_seconds(Path(f"/proc/{worker_pid(server)}/stat"))


def worker_loop_cpu_seconds(server: Server) -> float:
    """The part of worker_cpu_seconds spent by its main thread: the event loop, which parses,
    routes, solves dependencies and sends; the handlers run in other threads."""
    pid = worker_pid(server)
    return _cpu_seconds(Path(f"/proc/{pid}/task/{pid}/stat"))
