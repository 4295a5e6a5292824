"""`agora mail test EMAIL` against a real SMTP server."""

from typer.testing import CliRunner

from app.cli import cli
from tests.mail.conftest import text_part

runner = CliRunner()


def test_mail_test_sends_and_reports_the_servers_answer(inbox):
    result = runner.invoke(cli, ["mail", "test", "admin@example.com"])
    assert result.exit_code == 0, result.output
    assert "250 OK queued as test" in result.output
    [message] = inbox.to("admin@example.com")
    assert "test message" in text_part(message)


def test_mail_test_reports_a_server_that_is_down(mail_settings):
    result = runner.invoke(cli, ["mail", "test", "admin@example.com"])
    assert result.exit_code == 1
    assert "did not take the message" in result.output


def test_mail_test_without_a_server_configured():
    result = runner.invoke(cli, ["mail", "test", "admin@example.com"])
    assert result.exit_code == 1
    assert "AGORA_SMTP_URL is not set" in result.output
