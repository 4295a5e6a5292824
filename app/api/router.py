"""The JSON API under /api/v1 (a mounted sub-application with its own OpenAPI document).

Each domain's endpoints live in the domain, as `app/<domain>/api.py`, beside the pages that call
the same services; this package keeps what they share (token auth, errors, schemas) and mounts them.

Bearer tokens only, no cookies and so no CSRF; every answer, errors included, is JSON.
"""

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from app.api.errors import install_error_handlers
from app.api.schemas import ErrorOut
from app.api.token_use import RecordTokenUse
from app.core.transactions import TransactionalRoute
from app.events import api as events
from app.health import api as health
from app.live import api as live
from app.mail import api as notification_settings
from app.moderation import api as moderation
from app.my_data import api as my_data
from app.people import api as me
from app.polls import api as polls
from app.posts import api as posts
from app.prompts import api as prompts
from app.protocols import api as protocols
from app.recognition import api as recognition_api
from app.search import api as search
from app.showcase import api as showcase
from app.spaces import api as spaces
from app.uploads import api as uploads
from app.web.templates import static_url

DESCRIPTION = """
Agora's JSON API. Authenticate with `Authorization: Bearer <token>`; create a personal access
token with `agora tokens create EMAIL`. Errors answer `{"detail": ...}`: 401 without a valid
token, 404 for what the caller may not see, 403 for what they see but may not do, 422 for invalid
input (a list of `{"loc", "msg", "type"}`). Lists answer `{"items": [...], "next_cursor": ...}`;
pass `next_cursor` back as `?cursor=` for the next page.
"""

ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "No valid bearer token"},
    403: {"model": ErrorOut, "description": "Visible, but not allowed"},
    404: {"model": ErrorOut, "description": "Missing, or not visible to the caller"},
}

api_app = FastAPI(
    title="Agora API",
    version="1",
    description=DESCRIPTION,
    docs_url=None,
    redoc_url=None,
)
api_app.router.route_class = TransactionalRoute
install_error_handlers(api_app)
api_app.add_middleware(RecordTokenUse)
for module in (
    spaces,
    posts,
    me,
    notification_settings,
    live,
    events,
    polls,
    moderation,
    showcase,
    health,
    prompts,
    my_data,
    recognition_api,
    protocols,
    search,
    uploads,
):
    api_app.include_router(module.router, responses=ERROR_RESPONSES)


@api_app.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI from our own vendored files: no CDN at run time."""
    root = request.scope.get("root_path", "").rstrip("/")
    return get_swagger_ui_html(
        openapi_url=f"{root}{api_app.openapi_url}",
        title="Agora API",
        swagger_js_url=static_url("vendor/swagger-ui/swagger-ui-bundle.js"),
        swagger_css_url=static_url("vendor/swagger-ui/swagger-ui.css"),
        # A data URL: the page asks no server (and no CDN) for an icon.
        swagger_favicon_url="data:,",
        # No badge from the public validator service either.
        swagger_ui_parameters={"validatorUrl": None},
    )
