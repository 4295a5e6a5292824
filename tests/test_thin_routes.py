"""Page and API handlers read as a few sentences: load with an access check, act, answer.

A handler is a function decorated with a router method (`@router.get`, `@router.post`, ...)
in an `app/**/routes.py` or `app/**/api.py`. Its length counts from `def` to its last line:
the signature is included (a signature of loose form fields is no sentence either), the
decorators and the docstring are not (a docstring says why, and is the OpenAPI description).
Gathering what a page shows belongs in a builder beside the domain's service (`views.py`,
`page.py`), a refused form in `app.web.templates.form_error` or `block_after`, a query in the
service or the content policy (`app/access/`).

The handlers below are still longer than the limit, each with its reason. The list only
shrinks: a handler that is now short enough, or gone, fails the test until its entry goes.
"""

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
LIMIT = 15
ROUTE_FILES = {"routes.py", "api.py"}
ROUTER_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "websocket"}

TOO_LONG: dict[tuple[str, str], str] = {
    # Ten query parameters, one line each: the API's filters, described in the OpenAPI
    # document (aliases above the handler); the body is four sentences.
    ("search/api.py", "search_api"): "ten documented query parameters",
    # The search form's ten fields as query parameters; the body is five sentences.
    ("search/routes.py", "search_page"): "ten query parameters (the search form's filters)",
}


def handler_lengths(source: str) -> dict[str, int]:
    """Each handler in one module's source, by name, with its length in lines."""
    lengths = {}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            _is_route(decorator) for decorator in node.decorator_list
        ):
            lengths[node.name] = _length(node)
    return lengths


def _length(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    lines = (node.end_lineno or node.lineno) - node.lineno + 1
    first = node.body[0]
    docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    if docstring and isinstance(first.value.value, str):
        lines -= (first.end_lineno or first.lineno) - first.lineno + 1
    return lines


def _is_route(decorator: ast.expr) -> bool:
    return (
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr in ROUTER_METHODS
    )


def all_handlers() -> dict[tuple[str, str], int]:
    handlers = {}
    for path in sorted(APP.rglob("*.py")):
        if path.name in ROUTE_FILES:
            module = path.relative_to(APP).as_posix()
            for name, length in handler_lengths(path.read_text()).items():
                handlers[(module, name)] = length
    return handlers


def test_handlers_are_short() -> None:
    handlers = all_handlers()
    too_long = {key: n for key, n in handlers.items() if n > LIMIT and key not in TOO_LONG}
    assert not too_long, (
        f"handlers longer than {LIMIT} lines: move what the page gathers into a builder beside "
        f"the service, a refused form into form_error/block_after: {sorted(too_long.items())}"
    )


def test_the_allow_list_only_shrinks() -> None:
    handlers = all_handlers()
    stale = sorted(key for key in TOO_LONG if handlers.get(key, 0) <= LIMIT)
    assert not stale, f"short enough now (or gone): take them off TOO_LONG: {stale}"


def test_every_route_file_is_read() -> None:
    # The walk must find the handlers it judges, or the tests above pass on nothing.
    handlers = all_handlers()
    assert len(handlers) > 200
    assert ("posts/routes.py", "post_page") in handlers
    assert ("events/api.py", "list_events") in handlers


def test_a_long_handler_is_measured() -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(20))
    source = (
        "@router.post('/a')\n"
        "def long_one(\n    a: int,\n    b: int,\n) -> None:\n"
        f"{body}\n\n\n"
        "@router.get('/b')\ndef short_one() -> None:\n"
        '    """Why,\n    in two lines."""\n    pass\n\n\n'
        "def not_a_handler() -> None:\n"
        f"{body}\n"
    )
    assert handler_lengths(source) == {"long_one": 24, "short_one": 2}
