"""The `agora` command: migrate, users, tokens, demo data, backups and the server."""

import os
import secrets
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, func, select

from app.core.config import PROJECT_ROOT, Settings, get_settings
from app.core.db import get_engine, refresh_planner_statistics

cli = typer.Typer(help="Agora, the internal community platform.", no_args_is_help=True)
users_cli = typer.Typer(help="Manage people.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Personal access tokens for the JSON API.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
jobs_cli = typer.Typer(
    help="Background jobs (idempotent; safe to run anywhere).", no_args_is_help=True
)
cli.add_typer(tokens_cli, name="tokens")
cli.add_typer(jobs_cli, name="jobs")
search_cli = typer.Typer(help="The search index.", no_args_is_help=True)
cli.add_typer(search_cli, name="search")
mail_cli = typer.Typer(help="Outgoing email (AGORA_SMTP_URL).", no_args_is_help=True)
cli.add_typer(mail_cli, name="mail")
digests_cli = typer.Typer(help="Digests of what people missed.", no_args_is_help=True)
cli.add_typer(digests_cli, name="digests")


def run_migrations() -> None:
    from alembic import command
    from alembic.config import Config

    settings = get_settings()
    if settings.is_sqlite:
        db_path = settings.database_url.split("///", 1)[-1]
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    refresh_planner_statistics(get_engine())


@cli.command()
def migrate() -> None:
    """Bring the database schema up to date."""
    run_migrations()
    typer.echo("Database is up to date.")


@users_cli.command("create")
def users_create(
    email: str,
    name: Annotated[str, typer.Option("--name", help="Display name")],
    admin: Annotated[
        bool, typer.Option("--admin", help="Make this person an administrator")
    ] = False,
) -> None:
    """Create an account; the password is read from standard input."""
    from app.core.errors import DomainError
    from app.people.service import create_user
    from app.spaces.newcomers import welcome_newcomer

    password = (
        sys.stdin.readline().rstrip("\n")
        if not sys.stdin.isatty()
        else typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    )
    with Session(get_engine()) as session:
        try:
            user = create_user(
                session, email=email, display_name=name, password=password, admin=admin
            )
            joined = welcome_newcomer(session, user=user)
        except DomainError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        session.commit()
        typer.echo(f"Created {user.email} (id {user.id}{', admin' if admin else ''}).")
        if joined:
            typer.echo("Joined: " + ", ".join(space.name for space in joined))


@users_cli.command("import")
def users_import(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns email, name (required), title, department, locale, admin"
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every line and change nothing")
    ] = False,
) -> None:
    """Create accounts from a CSV file: all lines or, when any line is bad, none.

    Prints each new person's invitation link (email, tab, link) on stdout."""
    from app.people.importing import import_people_csv

    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        typer.echo(f"Error: cannot read {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    with Session(get_engine()) as session:
        report = import_people_csv(session, text, dry_run=dry_run)
        for problem in report.problems:
            typer.echo(f"Error: {problem}", err=True)
        for line in report.lines:
            for error in line.errors:
                typer.echo(f"line {line.line} ({line.email or '?'}): {error}", err=True)
        if not report.ok:
            typer.echo("Nothing was imported: fix the lines above and try again.", err=True)
            raise typer.Exit(1)
        existing = len(report.lines) - len(report.new)
        if dry_run:
            typer.echo(
                f"Dry run: {len(report.new)} new, {existing} already have an account.", err=True
            )
            return
        session.commit()
    base = get_settings().base_url.rstrip("/")
    for line in report.new:
        typer.echo(f"{line.email}\t{base}/invite/{line.invitation}")
    typer.echo(f"Imported {len(report.new)}, {existing} already had an account.", err=True)


@users_cli.command("erase")
def users_erase(
    email: str,
    content: Annotated[
        str,
        typer.Option(
            "--content",
            help="keep: their posts and comments stay, by “Former colleague”; delete: they go",
        ),
    ],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation")] = False,
) -> None:
    """Erase an account on request (GDPR Art. 17): the person and their name, everywhere."""
    from app.core.errors import DomainError
    from app.people.erasure import erase_person
    from app.people.service import user_by_email

    if content not in ("keep", "delete"):
        typer.echo("Error: --content is keep or delete", err=True)
        raise typer.Exit(2)
    with Session(get_engine()) as session:
        try:
            user = user_by_email(session, email)
        except DomainError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        if (
            not yes
            and sys.stdin.isatty()
            and not typer.confirm(
                f"Erase {user.email} for good and {content} their posts and comments?"
            )
        ):
            raise typer.Exit(1)
        erased = erase_person(session, user=user, content=content, actor=None)  # type: ignore[arg-type]
        session.commit()
    typer.echo(f"Erased account {erased.user_id}; content: {content}.")


@tokens_cli.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for")] = "",
) -> None:
    """Create a personal access token and print it alone on stdout."""
    from app.core.errors import DomainError
    from app.people.service import create_api_token, user_by_email

    with Session(get_engine()) as session:
        try:
            user = user_by_email(session, email)
            token = create_api_token(session, user=user, name=name)
        except DomainError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        session.commit()
    typer.echo(token)


@cli.command("seed-demo")
def seed_demo(
    users: Annotated[int, typer.Option(help="Extra synthetic people")] = 0,
    spaces: Annotated[int, typer.Option(help="Extra synthetic spaces")] = 0,
    posts: Annotated[int, typer.Option(help="Extra synthetic posts")] = 0,
    comments: Annotated[int, typer.Option(help="Extra synthetic comments")] = 0,
    member: Annotated[
        list[str] | None,
        typer.Option(help="Email of a person to add to several synthetic spaces (repeatable)"),
    ] = None,
    search_index: Annotated[
        bool,
        typer.Option(help="Index the synthetic rows for search (later: `agora search reindex`)"),
    ] = True,
) -> None:
    """Seed the demo community; with counts, also bulk synthetic data for benchmarks."""
    from app.core.errors import DomainError
    from app.demo.bulk import bulk_seed
    from app.demo.seed import seed_community

    with Session(get_engine()) as session:
        created = seed_community(session)
        session.commit()
    typer.echo("Demo community seeded." if created else "Demo community already present.")
    if not (users or spaces or posts or comments):
        return
    try:
        result = bulk_seed(
            get_engine(),
            users=users,
            spaces=spaces,
            posts=posts,
            comments=comments,
            member_emails=member or (),
            report=lambda line: typer.echo(line, err=True),
        )
    except DomainError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    # Bulk rows bypass the services (and so the index's subscribers): index them in one go.
    # (Page benchmarks may skip it: they never search.)
    if search_index:
        from app.search.index import reindex

        reindex(bulk=True)
    # A bulk load changes every table's size: the planner should know before the first page.
    refresh_planner_statistics(get_engine(), sample_rows=None)
    typer.echo(
        f"Seeded {result.users:,} people, {result.spaces:,} spaces, {result.posts:,} posts, "
        f"{result.comments:,} comments in {sum(result.seconds.values()):.1f} s."
    )
    if result.showcase_post_id is not None:
        typer.echo(f"Post with 300 comments: {result.showcase_post_id}")


@search_cli.command("reindex")
def search_reindex() -> None:
    """Rebuild the whole search index in short batches (safe while the site runs)."""
    from rich.progress import Progress

    from app.search.index import SOURCES, reindex, source_count

    with Session(get_engine()) as session:
        totals = {kind: source_count(session, kind) for kind in SOURCES}
    with Progress(transient=False) as progress:
        tasks = {
            kind: progress.add_task(f"{kind.value:<9}", total=max(total, 1))
            for kind, total in totals.items()
        }
        reindex(lambda kind, n: progress.advance(tasks[kind], n))
        for kind, total in totals.items():
            if not total:
                progress.update(tasks[kind], completed=1)
    typer.echo(f"Indexed {sum(totals.values()):,} documents.")


@search_cli.command("status")
def search_status() -> None:
    """Documents in the index per kind, beside the rows they come from."""
    from app.search.index import SOURCES, indexed_counts, source_count

    behind = False
    with Session(get_engine()) as session:
        for kind in SOURCES:
            (indexed, stale), rows = indexed_counts(session, kind), source_count(session, kind)
            behind = behind or indexed != rows or stale > 0
            extra = f" ({stale:,} of removed rows)" if stale else ""
            typer.echo(f"{kind.value:<9} {indexed:>10,} indexed of {rows:>10,}{extra}")
    if behind:
        typer.echo("The index is behind its sources: run `agora search reindex`.")


@cli.command("grant-badges")
def grant_badges() -> None:
    """Grant every badge that is due (idempotent; safe to run from several hosts at once)."""
    from app.recognition.jobs import run_grant_badges

    typer.echo(f"{run_grant_badges()} badge(s) granted.")


def bootstrap_first_start() -> None:
    """On an empty database: an admin account (printed once) and, unless disabled, demo content."""
    from app.demo.seed import DEMO_PASSWORD, seed_community
    from app.people.models import User
    from app.people.service import create_user
    from app.spaces.newcomers import welcome_newcomer

    settings = get_settings()
    with Session(get_engine()) as session:
        if session.exec(select(func.count()).select_from(User)).one() > 0:
            return
        password = secrets.token_urlsafe(12)
        admin = create_user(
            session,
            email="admin@agora.local",
            display_name="Agora Admin",
            password=password,
            admin=True,
        )
        if settings.seed_demo:
            seed_community(session)
            # Demo leaders are marked directly in the data: give them their badges too.
            from app.recognition.jobs import grant_badges

            grant_badges(session)
        # The first sign-in opens the welcome page, as for everyone who comes later.
        welcome_newcomer(session, user=admin)
        session.commit()
    typer.echo("=" * 64)
    typer.echo("First start: an administrator account was created.")
    typer.echo("  email:    admin@agora.local")
    typer.echo(f"  password: {password}")
    if settings.seed_demo:
        typer.echo(f"Demo people (e.g. anna.schmidt@agora.local) use the password: {DEMO_PASSWORD}")
    typer.echo("=" * 64)


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's forwarded-header handling: on only for the proxies named in the settings.

    Always an explicit list, so uvicorn's own default (FORWARDED_ALLOW_IPS, else 127.0.0.1)
    never applies: with it, any client on the same host could claim any address."""
    proxies = settings.trusted_proxy_list
    return {"proxy_headers": bool(proxies), "forwarded_allow_ips": proxies}


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 1,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Migrate, create the first admin (and demo content) on first start, then serve."""
    import uvicorn

    if migrate_first:
        run_migrations()
    bootstrap_first_start()
    if os.environ.get("FORWARDED_ALLOW_IPS") and not get_settings().trusted_proxies:
        typer.echo(
            "Note: FORWARDED_ALLOW_IPS is ignored; name your reverse proxies in "
            "AGORA_TRUSTED_PROXIES to trust their X-Forwarded-For headers.",
            err=True,
        )
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **proxy_options(get_settings()),
        log_level="info",
        access_log=get_settings().access_log,
        # The one WebSocket (protocol sync) fans each small update out to every editor:
        # compressing it once per recipient cost half the event loop at 200 editors.
        ws_per_message_deflate=False,
    )


@cli.command()
def backup(
    file: Annotated[Path, typer.Argument(help="Where to write the backup (replaced atomically)")],
) -> None:
    """Back up the database while the site runs (SQLite: online backup; PostgreSQL: pg_dump)."""
    from app.backup import BackupError, backup_database
    from app.backup.common import describe_counts

    try:
        result = backup_database(get_settings().database_url, file, report=_progress)
    except BackupError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from exc
    rows = sum(result.counts.values())
    typer.echo(
        f"Backup written to {result.path} ({result.size / 1e6:,.1f} MB, {result.engine}, "
        f"schema {result.revision}) in {result.seconds:.1f} s; manifest {result.manifest_path}."
    )
    typer.echo(f"It holds {rows:,} rows in {len(result.counts)} tables:")
    for line in describe_counts(result.counts):
        typer.echo(line)
    from app.uploads.backup import backup_files

    files = backup_files(get_settings(), file)
    if files.path is None:
        typer.echo(
            f"Uploaded files stay in {get_settings().storage_url}: back that bucket up with the "
            "object store's own tools (README: Files and images)."
        )
    else:
        typer.echo(
            f"Uploaded files: {files.files:,} ({files.bytes / 1e6:,.1f} MB) in {files.path}."
        )


@cli.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A file written by `agora backup`")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that already holds data")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --force: do not ask for confirmation")
    ] = False,
) -> None:
    """Restore a backup into an empty database (or, with --force, replace the current data)."""
    from app.backup import BackupError, TableCounts, restore_database
    from app.backup.common import describe_counts

    settings = get_settings()

    def confirm(current: TableCounts) -> bool:
        typer.echo(f"--force: this replaces everything in {_shown_url(settings.database_url)}:")
        for line in describe_counts(current):
            typer.echo(line)
        return yes or typer.confirm(f"Replace it with {file}?", default=False)

    try:
        result = restore_database(
            settings.database_url, file, force=force, confirm=confirm, report=_progress
        )
    except BackupError as exc:
        typer.echo(f"Error: {exc.message}", err=True)
        raise typer.Exit(exc.exit_code) from exc
    for note in result.notes:
        typer.echo(f"Note: {note}", err=True)
    rows = sum(result.counts.values())
    typer.echo(
        f"Restored {result.path} ({result.engine}, schema {result.revision}) in "
        f"{result.seconds:.1f} s: {rows:,} rows in {len(result.counts)} tables, "
        "every table's row count equal to the backup's."
    )
    if result.replaced:
        typer.echo(f"Replaced {sum(result.replaced.values()):,} rows of the previous data.")
    if result.migrated_to:
        typer.echo(f"Migrated the schema from {result.revision} to {result.migrated_to}.")
    from app.uploads.backup import restore_files

    restored = restore_files(settings, file)
    if restored is not None:
        typer.echo(f"Restored {restored:,} uploaded files into {settings.storage_url}.")


def _progress(line: str) -> None:
    typer.echo(line, err=True)


def _shown_url(database_url: str) -> str:
    from sqlalchemy import make_url

    return make_url(database_url).render_as_string(hide_password=True)


@jobs_cli.command("run-once")
def jobs_run_once(
    job: Annotated[
        list[str] | None, typer.Option("--job", help="Only this job (repeatable)")
    ] = None,
) -> None:
    """Run every periodic job once and report what each did."""
    from app.jobs import JOBS, run_jobs_once

    known = {j.name for j in JOBS}
    unknown = sorted(set(job or []) - known)
    if unknown:
        typer.echo(
            f"Unknown job: {', '.join(unknown)} (known: {', '.join(sorted(known))})", err=True
        )
        raise typer.Exit(2)
    results = run_jobs_once(job or None)
    for name, done in results.items():
        typer.echo(f"{name}: {'failed' if done is None else done}")
    if None in results.values():
        raise typer.Exit(1)


@cli.command()
def worker(
    interval: Annotated[
        float | None, typer.Option(help="Seconds between passes (default: the setting)")
    ] = None,
) -> None:
    """Only run the periodic jobs, in a loop, until stopped (for larger deployments)."""
    import logging
    import signal
    import threading

    from app.jobs import run_forever

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_args: stop.set())
    typer.echo("Agora worker: running periodic jobs. Stop with Ctrl+C.")
    run_forever(stop, interval)
    typer.echo("Agora worker stopped.")


@mail_cli.command("test")
def mail_test(email: str) -> None:
    """Send a test message to EMAIL now (not through the outbox) and report the server's answer."""
    from app.core.db import utcnow
    from app.mail.compose import draft
    from app.mail.transport import MailError, send_message

    settings = get_settings()
    if not settings.mail_enabled:
        typer.echo("Error: AGORA_SMTP_URL is not set, so no email is sent.", err=True)
        raise typer.Exit(1)
    message = draft("test", to_address=email, locale=settings.default_locale)
    try:
        answer = send_message(
            settings.smtp_url,
            message.as_email(date=utcnow()),
            timeout=settings.smtp_timeout_seconds,
        )
    except MailError as exc:
        typer.echo(f"Error: the mail server did not take the message: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"Sent to {email}. The server said: {answer}")


@digests_cli.command("send-now")
def digests_send_now(email: str) -> None:
    """Send this person's digest at once (due or not), then deliver the outbox."""
    from app.core.errors import DomainError
    from app.mail.digests import send_digest_now
    from app.mail.outbox import deliver_outbox
    from app.people.service import user_by_email

    if not get_settings().mail_enabled:
        typer.echo("Error: AGORA_SMTP_URL is not set, so no email is sent.", err=True)
        raise typer.Exit(1)
    with Session(get_engine(), expire_on_commit=False) as session:
        try:
            person = user_by_email(session, email)
        except DomainError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        queued = send_digest_now(session, person=person)
        session.commit()
        if not queued:
            typer.echo(f"Nothing to tell {email}: no digest sent.")
            return
        sent = deliver_outbox(session)
        session.commit()
    if sent:
        typer.echo(f"Digest sent to {email}.")
    else:
        typer.echo(f"Digest for {email} queued; the mail server has not taken it yet.")


def main() -> None:
    from pydantic import ValidationError

    try:
        get_settings()
    except ValidationError as exc:
        # A misconfiguration is the operator's to fix: say what, without a traceback.
        for error in exc.errors():
            typer.echo(f"Configuration error: {error['msg']}", err=True)
        raise SystemExit(2) from None
    cli()
