"""Shared pieces of the API tests: the endpoint list and re-reading committed rows."""

from typing import Any

from sqlmodel import Session

# Every endpoint of the contract, as (method, path template); the OpenAPI and 401 tests walk it.
ENDPOINTS = [
    ("GET", "/spaces"),
    ("POST", "/spaces"),
    ("GET", "/spaces/{slug}"),
    ("PATCH", "/spaces/{slug}"),
    ("POST", "/spaces/{slug}/join"),
    ("POST", "/spaces/{slug}/members"),
    ("GET", "/spaces/{slug}/posts"),
    ("POST", "/spaces/{slug}/posts"),
    ("GET", "/posts/{id}"),
    ("PATCH", "/posts/{id}"),
    ("DELETE", "/posts/{id}"),
    ("GET", "/posts/{id}/comments"),
    ("POST", "/posts/{id}/comments"),
    ("POST", "/posts/{id}/reactions"),
    ("DELETE", "/posts/{id}/reactions/{kind}"),
    ("GET", "/feed"),
    ("GET", "/me"),
    ("GET", "/search"),
]


def url(template: str, **values: Any) -> str:
    return "/api/v1" + template.format(**values)


def fresh(session: Session, model: Any, ident: Any) -> Any:
    """Re-read a row as a request committed it (ending the test session's read snapshot first)."""
    session.rollback()
    session.expire_all()
    return session.get(model, ident)
