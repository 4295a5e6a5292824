"""The JSON API under /api/v1 (a mounted sub-application with its own OpenAPI document)."""

from fastapi import FastAPI

api_app = FastAPI(title="Agora API", version="1", docs_url=None, redoc_url=None)

from app.api.protocols import router as protocols_router  # noqa: E402

api_app.include_router(protocols_router)
