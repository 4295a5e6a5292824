"""The JSON API under /api/v1 (a mounted sub-application with its own OpenAPI document)."""

from fastapi import FastAPI

from app.api.recognition import router as recognition_router

api_app = FastAPI(title="Agora API", version="1", docs_url=None, redoc_url=None)
api_app.include_router(recognition_router)
