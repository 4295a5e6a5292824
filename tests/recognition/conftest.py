import pytest


@pytest.fixture
def api(client):
    """Call the JSON API with an optional bearer token."""

    def call(method, url, token=None, **kwargs):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.request(method, f"/api/v1{url}", headers=headers, **kwargs)

    return call
