"""wrk, the load generator: make sure it is there, run it, read its one-line report."""

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import asdict, dataclass

from tests.bench import ROOT

SCRIPT = ROOT / "tests" / "bench" / "wrk_report.lua"
CONNECTIONS = 16
PINNED_THREADS = 1  # one core of its own: more threads would only take turns on it
SHARED_THREADS = 2  # unpinned, on a machine shared with the server


@dataclass
class Result:
    target: str
    path: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    non2xx: int
    socket_errors: int
    # Worker CPU time per request: unlike req/s, barely moved by other work on the machine.
    cpu_ms: float = 0.0
    round: int = 0
    # The machine's one-minute load average as the run ended: others share this machine.
    load_average: float = 0.0

    @property
    def errors(self) -> int:
        return self.non2xx + self.socket_errors

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "errors": self.errors}


def ensure_wrk() -> str:
    """The wrk binary; installed from Debian's packages when missing and we may, else a clear no."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt and os.geteuid() == 0:
        print("bench: wrk is missing; installing the Debian package `wrk` ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        quiet = {"stdout": subprocess.DEVNULL, "env": env, "check": False}
        installed = subprocess.run([apt, "install", "-y", "-q", "wrk"], **quiet)  # type: ignore[call-overload]
        if installed.returncode != 0:
            subprocess.run([apt, "update", "-q"], **quiet)  # type: ignore[call-overload]
            subprocess.run([apt, "install", "-y", "-q", "wrk"], **quiet)  # type: ignore[call-overload]
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit(
        "bench: the load generator `wrk` is not installed and could not be installed here.\n"
        "       Install it (Debian/Ubuntu: `sudo apt-get install wrk`) and run `make bench` again."
    )


def run_wrk(
    wrk: str,
    base_url: str,
    target: str,
    path: str,
    cookie: str,
    seconds: float,
    cpu_seconds: Callable[[], float] = lambda: 0.0,
    load_cpu: int | None = None,
) -> Result:
    """One wrk run at CONNECTIONS connections for about `seconds`, on CPU `load_cpu` alone
    when given; cpu_seconds reads the worker's CPU time, sampled before and after."""
    pin = [] if load_cpu is None else ["taskset", "--cpu-list", str(load_cpu)]
    threads = SHARED_THREADS if load_cpu is None else PINNED_THREADS
    command = [
        *pin,
        wrk,
        f"--threads={threads}",
        f"--connections={CONNECTIONS}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={SCRIPT}",
        f"--header=Cookie: {cookie}",
        base_url + path,
    ]
    cpu_before = cpu_seconds()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu = cpu_seconds() - cpu_before
    for line in done.stdout.splitlines():
        if line.startswith("WRK_RESULT "):
            numbers = json.loads(line.removeprefix("WRK_RESULT "))
            result = Result(target=target, path=path, **numbers)
            result.cpu_ms = 1000 * cpu / result.requests if result.requests else 0.0
            result.load_average = os.getloadavg()[0]
            return result
    raise SystemExit(f"bench: wrk gave no result for {path}:\n{done.stdout}{done.stderr}")
