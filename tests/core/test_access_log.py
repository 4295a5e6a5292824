"""`agora serve` logs a line per request unless AGORA_ACCESS_LOG is false (issue 19: behind a
proxy that logs already, the line only repeats it, at a cost to every request)."""

import shutil
import tempfile
import urllib.request
from pathlib import Path

import pytest

from tests.concurrency.conftest import (
    drop_database,
    free_port,
    fresh_database,
    migrate,
    server_env,
)
from tests.e2e.conftest import serve, stop_server


def _lines_logged(setting: str | None) -> list[str]:
    """What a real server wrote to its log for a start, two requests and a stop."""
    folder = Path(tempfile.mkdtemp(prefix="agora-access-log-"))
    try:
        env = server_env(fresh_database(folder, "access_log"))
        if setting is not None:
            env["AGORA_ACCESS_LOG"] = setting
        migrate(env)
        log = folder / "server.log"
        port = free_port()
        process = serve(env, port, log)
        try:
            for path in ("/healthz", "/login"):
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as page:
                    assert page.status == 200
        finally:
            stop_server(process)
        return log.read_text().splitlines()
    finally:
        drop_database("access_log")
        shutil.rmtree(folder, ignore_errors=True)


def _requests(lines: list[str]) -> list[str]:
    return [line for line in lines if '"GET /' in line]


def test_the_server_logs_each_request_by_default() -> None:
    logged = _requests(_lines_logged(None))

    assert any('"GET /healthz HTTP/1.1" 200' in line for line in logged), logged
    assert any('"GET /login HTTP/1.1" 200' in line for line in logged), logged


@pytest.mark.parametrize("setting", ["false", "0"])
def test_the_access_log_can_be_left_to_the_proxy(setting: str) -> None:
    lines = _lines_logged(setting)

    assert _requests(lines) == [], lines
    assert any("Application startup complete" in line for line in lines), lines
