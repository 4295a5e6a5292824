"""Every API error is JSON {"detail": ...}: domain errors, invalid input and HTTP errors alike.

422 answers always carry a list of {"loc", "msg", "type"} items (FastAPI's validation format), so a
client reads a service's ``Invalid`` exactly like a schema violation: ``loc`` names the field.
"""

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.core.errors import DomainError, Invalid
from app.core.i18n import gettext
from app.core.transactions import Busy

# Fields that services name but that travel in the query string, not the body.
QUERY_FIELDS = {"cursor", "limit"}
# What FastAPI answers (400) when it cannot even decode a request body.
UNREADABLE_BODY = "There was an error parsing the body"


def invalid_detail(exc: Invalid) -> list[dict[str, Any]]:
    """One item per field a service named: a form-wide check may name several at once."""
    several: dict[str, str] = exc.params.get("errors") or {}
    if several:
        return [_item(field, gettext(message)) for field, message in several.items()]
    return [_item(exc.field, exc.text())]


def _item(field: str | None, message: str) -> dict[str, Any]:
    where = "query" if field in QUERY_FIELDS else "body"
    return {"loc": [where, field] if field else [where], "msg": message, "type": "invalid"}


def validation_detail(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Only loc/msg/type: "input" would echo up to 20,000 characters back, "ctx" may hold objects.
    return [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors()
    ]


def install_error_handlers(api: FastAPI) -> None:
    @api.exception_handler(DomainError)
    async def domain_error(_request: Request, exc: DomainError) -> JSONResponse:
        if isinstance(exc, Invalid):
            return JSONResponse({"detail": invalid_detail(exc)}, status_code=422)
        headers = {"retry-after": "1"} if isinstance(exc, Busy) else None
        return JSONResponse({"detail": exc.text()}, status_code=exc.status_code, headers=headers)

    @api.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_detail(exc)}, status_code=422)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and exc.detail == UNREADABLE_BODY:
            # Bytes that are not UTF-8: invalid input like any other, in the one 422 format
            # the API documents (malformed JSON already answers so).
            detail = [
                {"loc": ["body"], "msg": "The body is not UTF-8 JSON", "type": "json_invalid"}
            ]
            return JSONResponse({"detail": detail}, status_code=422)
        return JSONResponse(
            {"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers
        )

    @api.exception_handler(Exception)
    async def server_error(_request: Request, _exc: Exception) -> JSONResponse:
        # Starlette re-raises after this answer, so the server still logs the traceback.
        return JSONResponse({"detail": "Internal server error"}, status_code=500)
