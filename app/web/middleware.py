"""Security headers, the CSRF cookie and the request language, as one small ASGI layer."""

import secrets
from functools import cache
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.client_address import set_client_address
from app.core.config import get_settings
from app.core.i18n import pick_locale, set_locale
from app.core.security import CSRF_COOKIE

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


@cache
def _page_policy(oidc_issuer: str) -> str:
    """The pages' policy. With single sign-on, the sign-out form is answered with a redirect to
    the provider (RP-initiated logout), and browsers apply form-action to that redirect too."""
    if not oidc_issuer:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(oidc_issuer)
    origin = f"{parts.scheme}://{parts.netloc}"
    return CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


# The API docs page loads Swagger UI from the app's own static files and needs its inline bootstrap.
DOCS_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; frame-ancestors 'none'"
)


class SecurityMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = get_settings()
        cookie_header, languages = "", None
        # Only two headers matter here; ASGI gives their names in lower case.
        for name, value in scope.get("headers", ()):
            if name == b"cookie":
                cookie_header = value.decode("latin-1")
            elif name == b"accept-language":
                languages = value.decode("latin-1")
        # The parser Starlette's request.cookies uses: lenient, and a fraction of SimpleCookie's
        # cost, paid by every request (issue 19).
        existing = cookie_parser(cookie_header).get(CSRF_COOKIE) if cookie_header else None
        csrf_value = existing if existing and len(existing) >= 32 else None
        new_csrf = csrf_value is None
        if csrf_value is None:
            csrf_value = secrets.token_urlsafe(32)
        scope.setdefault("state", {})["csrf_token"] = csrf_value
        set_locale(pick_locale(languages, settings.default_locale))
        client = scope.get("client")
        set_client_address(str(client[0]) if client else "")
        is_docs = scope["path"].startswith("/api/v1/docs")
        # The JSON API authenticates with bearer tokens only, so it never sets a cookie.
        is_api = scope["path"].startswith("/api/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                out = MutableHeaders(scope=message)
                out.setdefault(
                    "content-security-policy",
                    DOCS_CONTENT_SECURITY_POLICY
                    if is_docs
                    else _page_policy(settings.oidc_issuer if settings.oidc_enabled else ""),
                )
                out.setdefault("x-content-type-options", "nosniff")
                out.setdefault("x-frame-options", "DENY")
                out.setdefault("referrer-policy", "same-origin")
                out.setdefault("permissions-policy", "camera=(), microphone=(), geolocation=()")
                if settings.secure_cookies:
                    out.setdefault("strict-transport-security", "max-age=31536000")
                if new_csrf and not is_api:
                    parts = [f"{CSRF_COOKIE}={csrf_value}", "Path=/", "HttpOnly", "SameSite=Lax"]
                    if settings.secure_cookies:
                        parts.append("Secure")
                    out.append("set-cookie", "; ".join(parts))
            await send(message)

        await self.app(scope, receive, send_with_headers)
