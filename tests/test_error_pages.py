"""Error pages say what happened once, in words a person can act on."""

from tests.factories import make_user


def test_unknown_address_says_not_found_once(session, login):
    client = login(make_user(session))
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.text.count("Not found") == 1
    assert "does not exist, or it is not shared with you" in response.text


def test_a_specific_message_is_kept(session, login):
    client = login(make_user(session))
    response = client.get("/posts/999999")
    assert response.status_code == 404
    assert "Post not found" in response.text
