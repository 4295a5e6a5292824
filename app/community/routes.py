"""Every community page router, for create_app() to include."""

from app.community.routes_health import router as health_router
from app.community.routes_moderation import router as moderation_router
from app.community.routes_onboarding import router as onboarding_router
from app.community.routes_prompts import router as prompts_router
from app.community.routes_showcase import router as showcase_router

routers = (moderation_router, prompts_router, showcase_router, health_router, onboarding_router)
