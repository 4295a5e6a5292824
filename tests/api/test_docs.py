"""The OpenAPI document and the Swagger UI page served from our own files."""

import re

from tests.api.helpers import ENDPOINTS
from tests.factories import make_user


def test_openapi_lists_every_endpoint_with_the_bearer_scheme(client):
    document = client.get("/api/v1/openapi.json").json()

    listed = {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
    }
    assert set(ENDPOINTS) <= listed
    assert document["components"]["securitySchemes"]["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal access token, created with `agora tokens create EMAIL`.",
    }
    for method, path in ENDPOINTS:
        assert document["paths"][path][method.lower()]["security"] == [{"HTTPBearer": []}]
    assert document["servers"] == [{"url": "/api/v1"}]


def test_openapi_documents_the_input_limits(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]

    assert schemas["PostCreate"]["properties"]["title"]["maxLength"] == 200
    assert schemas["PostCreate"]["properties"]["body"]["maxLength"] == 20000
    assert schemas["CommentCreate"]["properties"]["body"]["maxLength"] == 10000
    assert schemas["SpaceCreate"]["properties"]["name"]["maxLength"] == 80
    assert schemas["SpaceCreate"]["properties"]["description"]["maxLength"] == 2000
    assert schemas["PostCreate"]["additionalProperties"] is False


def test_docs_page_loads_swagger_ui_from_the_vendored_files(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in response.text
    assert "/static/vendor/swagger-ui/swagger-ui.css" in response.text
    assert "/api/v1/openapi.json" in response.text
    assert not re.search(r"https?://", response.text), "nothing may come from a CDN"
    assert "'unsafe-inline'" in response.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', response.text):
        assert client.get(asset).status_code == 200


def test_the_rest_of_the_api_keeps_the_strict_content_security_policy(session, api):
    response = api(make_user(session)).get("/api/v1/me")

    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
