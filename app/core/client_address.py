"""The address the current request comes from, for the audit log ("from which address").

Set by the ASGI layer for every request (as uvicorn reports it: behind trusted proxies, the
forwarded client); empty outside requests (jobs, the command line)."""

from contextvars import ContextVar

_address: ContextVar[str] = ContextVar("client_address", default="")


def set_client_address(address: str) -> None:
    _address.set(address[:64])


def client_address() -> str:
    return _address.get()
