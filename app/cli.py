"""The `agora` command: migrate, users, tokens, demo data and the server."""

import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session, func, select

from app.config import PROJECT_ROOT, get_settings
from app.db import get_engine

cli = typer.Typer(help="Agora, the internal community platform.", no_args_is_help=True)
users_cli = typer.Typer(help="Manage people.", no_args_is_help=True)
tokens_cli = typer.Typer(help="Personal access tokens for the JSON API.", no_args_is_help=True)
cli.add_typer(users_cli, name="users")
cli.add_typer(tokens_cli, name="tokens")


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
    from app.errors import DomainError
    from app.people.service import create_user

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
        except DomainError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            raise typer.Exit(1) from exc
        session.commit()
        typer.echo(f"Created {user.email} (id {user.id}{', admin' if admin else ''}).")


@tokens_cli.command("create")
def tokens_create(
    email: str,
    name: Annotated[str, typer.Option("--name", help="What the token is for")] = "",
) -> None:
    """Create a personal access token and print it alone on stdout."""
    from app.errors import DomainError
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
) -> None:
    """Seed the demo community; with counts, also bulk synthetic data for benchmarks."""
    from app.demo import bulk_seed, seed_community

    with Session(get_engine()) as session:
        created = seed_community(session)
        session.commit()
    typer.echo("Demo community seeded." if created else "Demo community already present.")
    if users or spaces or posts or comments:
        bulk_seed(get_engine(), users=users, spaces=spaces, posts=posts, comments=comments)


def bootstrap_first_start() -> None:
    """On an empty database: an admin account (printed once) and, unless disabled, demo content."""
    from app.demo import DEMO_PASSWORD, seed_community
    from app.people.models import User
    from app.people.service import create_user

    settings = get_settings()
    with Session(get_engine()) as session:
        if session.exec(select(func.count()).select_from(User)).one() > 0:
            return
        password = secrets.token_urlsafe(12)
        create_user(
            session,
            email="admin@agora.local",
            display_name="Agora Admin",
            password=password,
            admin=True,
        )
        if settings.seed_demo:
            seed_community(session)
        session.commit()
    typer.echo("=" * 64)
    typer.echo("First start: an administrator account was created.")
    typer.echo("  email:    admin@agora.local")
    typer.echo(f"  password: {password}")
    if settings.seed_demo:
        typer.echo(f"Demo people (e.g. anna.schmidt@agora.local) use the password: {DEMO_PASSWORD}")
    typer.echo("=" * 64)


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
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


def main() -> None:
    cli()
