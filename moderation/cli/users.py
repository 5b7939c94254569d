"""``moderation create-user | list-users | disable-user | create-token``: moderator accounts."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from moderation import accounts, audit, login_throttle, settings
from moderation.storage.database import Database

CLI_ACTOR = "cli"


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session on DATABASE_URL; account and database errors become one-line messages."""
    import os

    instance = os.environ.get("MODERATION_INSTANCE_PATH") or str(settings.REPO_ROOT / "instance")
    database = Database(settings.from_environment(instance_path=instance)["DATABASE_URL"])
    try:
        with database_errors(), database.session() as session:
            yield session
    except accounts.AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        database.dispose()


@contextmanager
def database_errors() -> Iterator[None]:
    """A database that cannot be reached or has no tables is one line, not a traceback."""
    try:
        yield
    except SQLAlchemyError as exc:
        reason = str(exc.__cause__ or exc).splitlines()[0]
        raise click.ClickException(
            f"database error: {reason} (has `moderation db upgrade` been run?)"
        ) from exc


def _read_password(from_stdin: bool, ask: Callable[[], str]) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return ask()


@click.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), default="moderator", show_default=True)
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def create_user(username: str, role: str, password_stdin: bool) -> None:
    """Create a workspace account (the password is asked for, never given as an argument)."""
    password = _read_password(
        password_stdin,
        lambda: click.prompt("Password", hide_input=True, confirmation_prompt=True),
    )
    with session_scope() as session:
        user = accounts.create_user(session, username, password, role)
        audit.record(session, CLI_ACTOR, "user_created", username=user.username, role=role)
        session.commit()
        click.echo(f"created {user.role} {user.username!r}")


@click.command("list-users")
def list_users() -> None:
    """List workspace accounts: name, role, state, last login."""
    with session_scope() as session:
        users = accounts.list_users(session)
        for user in users:
            state = "active" if user.active else "disabled"
            last = (
                user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
            )
            click.echo(f"{user.username}\t{user.role}\t{state}\tlast login: {last}")
    click.echo(f"{len(users)} users", err=True)


@click.command("disable-user")
@click.argument("username")
def disable_user(username: str) -> None:
    """Disable an account: no more logins or API calls; open sessions end on their next request."""
    with session_scope() as session:
        user = accounts.disable_user(session, username)
        audit.record(session, CLI_ACTOR, "user_disabled", username=user.username)
        session.commit()
        click.echo(f"disabled {user.username!r}")


@click.command("create-token")
@click.argument("username")
@click.option("--label", default=None, help="What the token is for, e.g. the tool that uses it.")
def create_token(username: str, label: str | None) -> None:
    """Create a moderator API token; it is printed once and only its hash is stored."""
    with session_scope() as session:
        row, token = accounts.create_token(session, username, label)
        audit.record(session, CLI_ACTOR, "token_created", username=username, prefix=row.prefix)
        session.commit()
    click.echo(token)
    click.echo("Store this token now: it cannot be shown again.", err=True)


@click.command("enable-user")
@click.argument("username")
def enable_user(username: str) -> None:
    """Enable a disabled account again."""
    with session_scope() as session:
        user = accounts.enable_user(session, username)
        audit.record(session, CLI_ACTOR, "user_enabled", username=user.username)
        session.commit()
        click.echo(f"enabled {user.username!r}")


@click.command("set-password")
@click.argument("username")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
def set_password(username: str, password_stdin: bool) -> None:
    """Give an account a new password (and clear its failed-login lock)."""
    password = _read_password(
        password_stdin,
        lambda: click.prompt("New password", hide_input=True, confirmation_prompt=True),
    )
    with session_scope() as session:
        user = accounts.set_password(session, username, password)
        login_throttle.clear_lock(session, user.username)
        audit.record(session, CLI_ACTOR, "password_set", username=user.username)
        session.commit()
        click.echo(f"new password set for {user.username!r}")


@click.command("revoke-tokens")
@click.argument("username")
def revoke_tokens(username: str) -> None:
    """Revoke every API token of an account."""
    with session_scope() as session:
        count = accounts.revoke_tokens(session, username)
        audit.record(session, CLI_ACTOR, "tokens_revoked", username=username, count=count)
        session.commit()
        click.echo(f"revoked {count} token{'s' if count != 1 else ''}")


COMMANDS = (
    create_user,
    list_users,
    disable_user,
    enable_user,
    set_password,
    create_token,
    revoke_tokens,
)
