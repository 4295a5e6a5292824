"""Date poll test data: people with tokens in a space, and an API caller per person."""

from typing import Any

from tests.events.factories import make_people
from tests.factories import make_space, make_token, make_user


def api(client: Any, token: str) -> Any:
    def call(method: str, url: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"}
        return client.request(method, f"/api/v1{url}", headers=headers, **kwargs)

    return call


def setup_space(session: Any, client: Any, visibility: str = "public", members: int = 3) -> Any:
    """A host, `members` members and an outsider, each with an API caller."""
    host = make_user(session)
    people = make_people(session, members + 1)
    space = make_space(session, host=host, members=tuple(people[:-1]), visibility=visibility)
    callers = {"host": api(client, make_token(session, user=host))}
    for n, person in enumerate(people[:-1]):
        callers[f"m{n}"] = api(client, make_token(session, user=person))
    callers["outsider"] = api(client, make_token(session, user=people[-1]))
    return space, callers, host, people


def poll_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Team dinner",
        "description": "Somewhere *nice*",
        "timezone": "Europe/Berlin",
        "options": [
            {"starts_at": "2030-03-05T18:00", "ends_at": "2030-03-05T21:00"},
            {"starts_at": "2030-03-06T18:00"},
            {"starts_at": "2030-03-07T19:00", "ends_at": "2030-03-07T22:00"},
        ],
    }
    body.update(overrides)
    return body
