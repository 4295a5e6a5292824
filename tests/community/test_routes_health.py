"""The health pages: who may see them, what they draw, and how many queries they cost."""

import pytest

from tests.factories import make_comment, make_post, make_space, make_user


def _busy_space(session, *, members=6, visibility="public"):
    host = make_user(session)
    people = [make_user(session) for _ in range(members)]
    space = make_space(session, host=host, members=tuple(people), visibility=visibility)
    for person in people:
        post = make_post(session, author=person, space=space)
        make_comment(session, author=host, post=post)
    return host, people, space


def test_hosts_see_their_space_health_with_svg_charts(session, login):
    host, _people, space = _busy_space(session)
    page = login(host).get(f"/spaces/{space.slug}/health")
    assert page.status_code == 200
    assert page.text.count('<svg class="chart-svg"') >= 4
    assert "Weekly active members" in page.text
    assert "Show the numbers" in page.text
    assert "<script" not in page.text.split("</head>")[1]  # no script needed for the charts


def test_small_spaces_show_too_few(session, login):
    host, _people, space = _busy_space(session, members=2)
    page = login(host).get(f"/spaces/{space.slug}/health")
    assert "Too few to show" in page.text
    assert '<svg class="chart-svg"' not in page.text  # charts; icons are fine


@pytest.mark.parametrize("visibility", ["public", "private", "secret"])
def test_members_may_not_and_outsiders_cannot_see_it(session, login, visibility):
    _host, people, space = _busy_space(session, visibility=visibility)
    assert login(people[0]).get(f"/spaces/{space.slug}/health").status_code == 403
    outsider = login(make_user(session)).get(f"/spaces/{space.slug}/health")
    expected = {"public": 403, "private": 404, "secret": 404}[visibility]
    assert outsider.status_code == expected


def test_admins_see_the_site_and_readable_spaces_only(session, login):
    admin = make_user(session, admin=True)
    _host, _people, public = _busy_space(session)
    _host2, _people2, private = _busy_space(session, visibility="private")
    client = login(admin)
    assert client.get("/admin/health").status_code == 200
    assert client.get(f"/spaces/{public.slug}/health").status_code == 200
    assert client.get(f"/spaces/{private.slug}/health").status_code == 404
    assert login(make_user(session)).get("/admin/health").status_code == 403


def test_filters_that_would_single_someone_out_show_too_few(session, login):
    host, _people, space = _busy_space(session)
    client = login(host)
    for who in ("members", "hosts"):
        page = client.get(f"/spaces/{space.slug}/health?who={who}")
        assert page.status_code == 200
        assert "Too few to show" in page.text
        assert '<svg class="chart-svg"' not in page.text  # charts; icons are fine
    assert client.get(f"/spaces/{space.slug}/health?weeks=3").status_code == 422
    assert client.get(f"/spaces/{space.slug}/health?who=everyone-but-anna").status_code == 422


def test_the_health_page_runs_a_constant_number_of_queries(session, login, count_queries):
    host, people, space = _busy_space(session)
    client = login(host)
    with count_queries() as few:
        assert client.get(f"/spaces/{space.slug}/health").status_code == 200
    for person in people:
        for _ in range(4):
            post = make_post(session, author=person, space=space)
            make_comment(session, author=people[0], post=post)
    with count_queries() as many:
        assert client.get(f"/spaces/{space.slug}/health").status_code == 200
    assert len(many) == len(few) <= 16
