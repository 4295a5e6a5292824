"""create_app(): routers, static files, middleware, error pages, background jobs."""

import ctypes
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from sqlmodel import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.announcements.routes import router as announcements_router
from app.api.router import api_app
from app.core.config import get_settings
from app.core.db import get_engine
from app.core.errors import DomainError, LoginRequired
from app.core.i18n import N_, gettext
from app.core.security import optional_user
from app.core.transactions import Busy, TransactionalRoute
from app.events.routes import router as events_router
from app.health.routes import router as health_router
from app.home.routes import router as home_router
from app.jobs import periodic_jobs
from app.live.routes import router as live_router
from app.mail.routes import router as mail_router
from app.mail.routes import unsubscribe_router
from app.moderation.routes import router as moderation_router
from app.my_data.routes import router as my_data_router
from app.notifications.routes import router as notifications_router
from app.onboarding.routes import router as onboarding_router
from app.people.admin.routes import router as people_admin_router
from app.people.resets.routes import router as password_reset_router
from app.people.routes import router as people_router
from app.people.sso.routes import router as sso_router
from app.polls.routes import router as polls_router
from app.posts.routes import router as posts_router
from app.prompts.routes import router as prompts_router
from app.protocols.routes import router as protocols_router
from app.recognition.admin.routes import router as recognition_admin_router
from app.recognition.routes import router as recognition_router
from app.search.routes import router as search_router
from app.showcase.routes import router as showcase_router
from app.spaces.routes import router as spaces_router
from app.uploads.routes import pages as upload_pages_router
from app.uploads.routes import router as uploads_router
from app.web.cached_pages import CachedPages
from app.web.middleware import SecurityMiddleware
from app.web.templates import STATIC_DIR, render, static_url


def _error_page(request: Request, status: int, message: str) -> Response:
    return render(
        request,
        "errors/error.html",
        {"status": status, "message": message},
        status_code=status,
        block="content" if request.headers.get("hx-request") else None,
    )


async def _load_viewer(request: Request) -> None:
    """No route ran for an unknown address, so find the signed-in person (and their language)."""
    if "user" in request.scope.get("state", {}):
        return
    with Session(get_engine(), expire_on_commit=False) as session:
        await optional_user(request, session)


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The limiter lives in the event loop, so it is sized here, inside the loop.
    threads = anyio.to_thread.current_default_thread_limiter()
    threads.total_tokens = get_settings().handler_threads
    if get_settings().env != "test":
        freeze_startup_objects()
    async with periodic_jobs():
        yield


def freeze_startup_objects() -> None:
    """Keep what the worker built while starting (modules, the app, its routes and tables) out
    of the garbage collector's full passes: they live as long as the process. A full pass walked
    every one of them, about 150 ms of one core, each time pages had made enough new objects.
    Not in the test suite, whose apps come and go in one process."""
    gc.collect()
    gc.freeze()


def tune_malloc() -> None:
    """Two settings of glibc's allocator (elsewhere there is nothing to tune).

    Arenas: glibc gives each thread that allocates its own (up to 8 per core); with the
    request threads they kept about a fifth more memory than one process needs. Two suffice.

    Large blocks: glibc hands a block back to the system when it is freed only if it was at
    least the "mmap threshold" when asked for, and it raises that threshold to the size of any
    such block freed (up to 32 MiB). After one sign-in, each password hash's 19 MiB came from
    an arena and stayed there: a burst of sign-ins left a worker 38 MB larger for good. Fixed at
    1 MiB, blocks that big come from the system and go back to it (a page body is tens of KB).
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    m_arena_max, m_mmap_threshold = -8, -3
    libc.mallopt(m_arena_max, 2)
    libc.mallopt(m_mmap_threshold, 1024 * 1024)


def create_app() -> FastAPI:
    tune_malloc()
    app = FastAPI(title="Agora", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.router.route_class = TransactionalRoute
    # Inside the security layer (the last added runs first), which adds its headers and picks
    # the language for every response, a page served from memory too.
    app.add_middleware(CachedPages)
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount("/api/v1", api_app)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        # Pages name the SVG icon; this answers tools and browsers that ask the old address.
        return RedirectResponse(static_url("favicon.svg"), status_code=301)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        return JSONResponse({"status": "ok"})

    # Routes are tried one by one (each try costs about ten Python calls): the most asked for
    # come first. None of these paths overlaps another router's, so the order chooses nothing.
    for router in (
        home_router,
        people_router,
        spaces_router,
        posts_router,
        people_admin_router,
        password_reset_router,
        sso_router,
        notifications_router,
        mail_router,
        unsubscribe_router,
        live_router,
        events_router,
        moderation_router,
        prompts_router,
        showcase_router,
        announcements_router,
        health_router,
        onboarding_router,
        my_data_router,
        recognition_router,
        recognition_admin_router,
        protocols_router,
        polls_router,
        search_router,
        uploads_router,
        upload_pages_router,
    ):
        app.include_router(router)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = f"/login?next={target}" if request.method == "GET" else "/login"
        if request.headers.get("hx-request"):
            return Response(status_code=401, headers={"HX-Redirect": location})
        return RedirectResponse(location, status_code=303)

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        response = _error_page(request, exc.status_code, exc.text())
        if isinstance(exc, Busy):
            response.headers["retry-after"] = "1"
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        await _load_viewer(request)
        messages = {404: N_("Not found"), 405: N_("Method not allowed")}
        return _error_page(
            request, exc.status_code, gettext(messages.get(exc.status_code, str(exc.detail)))
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        return _error_page(request, 422, gettext("Some of the input was not valid."))

    return app
