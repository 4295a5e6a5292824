from collections.abc import Iterator

import pytest

from tests.uploads.s3server import S3Server, seaweedfs


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    with seaweedfs() as server:
        yield server
