import pytest

from app.protocols import service
from app.protocols.rooms import registry
from app.spaces.access import access_for


@pytest.fixture(autouse=True)
def _fresh_rooms():
    registry.clear()
    yield
    registry.clear()


@pytest.fixture
def make_protocol(session):
    def _make(host, space, text="# Minutes\n", title="Weekly"):
        protocol = service.create_protocol(
            session, access=access_for(session, host, space), title=title, text=text
        )
        session.commit()
        return protocol

    return _make
