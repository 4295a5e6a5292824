"""Real uvicorn servers for the integration, browser and bench runs (ports 8300-8399)."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class LiveServer:
    def __init__(self, port: int, database_url: str, extra_env: dict[str, str] | None = None):
        self.port = port
        self.database_url = database_url
        self.extra_env = extra_env or {}
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.gettempdir()) / f"agora-live-{port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "LiveServer":
        env = {
            **os.environ,
            "AGORA_DATABASE_URL": self.database_url,
            "AGORA_ENV": "test",
            "AGORA_SEED_DEMO": "0",
            "AGORA_BASE_URL": self.url,
            **self.extra_env,
        }
        with self.log.open("ab") as log:
            self.process = self._spawn(env, log)
        self._wait_ready()
        return self

    def _spawn(self, env: dict[str, str], log) -> subprocess.Popen[bytes]:  # type: ignore[no-untyped-def]
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                # As `agora serve` (app/cli.py) runs: uvicorn's default WebSocket implementation
                # (websockets' sans-I/O one), without per-message deflate.
                "--ws-per-message-deflate",
                "false",
                # No AGORA_TRUSTED_PROXIES: forwarding headers off, as `agora serve` has them.
                "--no-proxy-headers",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def _wait_ready(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server on {self.port} exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"server on {self.port} did not start")

    def kill(self) -> None:
        """Stop hard (SIGKILL): nothing gets a chance to flush, which is the point."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
