"""A real SMTP server (aiosmtpd) on a free port, and the settings that point Agora at it."""

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from app.core.config import get_settings


class Inbox:
    """What the server received, parsed; `refuse` makes it answer 451 to every message."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        if self.refuse:
            return "451 Try again later"
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK queued as test"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


@pytest.fixture
def mail_settings(monkeypatch: pytest.MonkeyPatch, smtp_port: int) -> Iterator[None]:
    """AGORA_SMTP_URL names the test server's port (whether or not it is up)."""
    monkeypatch.setenv("AGORA_SMTP_URL", f"smtp://127.0.0.1:{smtp_port}")
    monkeypatch.setenv("AGORA_MAIL_FROM", "Agora <agora@example.com>")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("AGORA_SMTP_URL")
    get_settings.cache_clear()


class SmtpServer:
    """Stopped and started again like a real server: a new controller (and loop) each time."""

    def __init__(self, port: int) -> None:
        self.inbox = Inbox()
        self.port = port
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp_server(mail_settings: None, smtp_port: int) -> Iterator[SmtpServer]:
    server = SmtpServer(smtp_port)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp_server: SmtpServer) -> Inbox:
    return smtp_server.inbox


def text_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def html_part(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]
