"""The GET paths of the whole app, for the tests that walk every path as different people."""

from fastapi.routing import APIRoute, iter_route_contexts

from app.main import create_app

# Event streams never end by themselves; tests/live checks who they reach on a real server.
STREAMS = frozenset({"/live", "/api/v1/live"})


def get_routes() -> list[str]:
    """Every GET path: pages, fragments and the JSON API (included routers too), streams aside."""
    contexts = iter_route_contexts(create_app().routes)
    return sorted(
        {
            c.path
            for c in contexts
            if isinstance(c.original_route, APIRoute) and "GET" in (c.methods or ())
        }
        - STREAMS
    )
