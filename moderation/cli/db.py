"""``moderation db``: database migrations."""

from __future__ import annotations

import click

from moderation import settings
from moderation.storage.database import Database


@click.group()
def db() -> None:
    """Database schema commands."""


@db.command()
def upgrade() -> None:
    """Apply all migrations to DATABASE_URL (SQLite in instance/ when unset)."""
    url = settings.from_environment(instance_path=_instance_path())["DATABASE_URL"]
    database = Database(url)
    try:
        database.upgrade()
    except Exception as exc:
        raise click.ClickException(f"migration failed: {exc}") from exc
    finally:
        database.dispose()
    click.echo("database is up to date")


def _instance_path() -> str:
    import os

    return os.environ.get("MODERATION_INSTANCE_PATH") or str(settings.REPO_ROOT / "instance")
