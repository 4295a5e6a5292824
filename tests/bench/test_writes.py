"""`make bench-writes` end to end in its smallest form: a real server, a few clients, the check."""

from tests.bench import writes


def test_a_short_write_run_is_verified(capsys):  # type: ignore[no-untyped-def]
    status = writes.main(["--quick", "--engines", "sqlite", "--clients", "4", "--seconds", "1"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "| sqlite | 4 |" in out
    assert "all met" in out
