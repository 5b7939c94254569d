"""``moderation callbacks``: see and replay CMS deliveries that gave up (the dead-letter list)."""

from __future__ import annotations

import click
from sqlalchemy import select

from moderation import callbacks as delivery
from moderation.cli.users import database_errors
from moderation.storage.tables import CallbackDelivery


@click.group()
def callbacks() -> None:
    """CMS callback deliveries."""


@callbacks.command("list")
@click.option("--status", type=click.Choice(["pending", "delivered", "failed"]), default="failed")
@click.option("--limit", type=click.IntRange(1, 10_000), default=50)
def list_deliveries(status: str, limit: int) -> None:
    """List deliveries by status (default: failed, the dead-letter list)."""
    from moderation import create_app

    svc = create_app().extensions["moderation"]
    with database_errors(), svc.db.session() as session:
        rows = session.scalars(
            select(CallbackDelivery)
            .where(CallbackDelivery.status == status)
            .order_by(CallbackDelivery.id)
            .limit(limit)
        ).all()
        for row in rows:
            click.echo(
                f"{row.id}\t{row.comment_id}\t{row.status}\tattempts={row.attempts}\t{row.last_error or ''}"
            )
    click.echo(f"{len(rows)} {status} deliveries", err=True)


@callbacks.command("replay")
@click.argument("delivery_ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
def replay(delivery_ids: tuple[int, ...]) -> None:
    """Send failed deliveries again (all of them, or the ids given)."""
    from moderation import create_app
    from moderation.queueing import enqueue_delivery

    app = create_app()
    svc = app.extensions["moderation"]
    with database_errors(), svc.db.session() as session:
        ids = list(delivery_ids) or None
        count = delivery.replay(session, ids)
        due = delivery.due(session, delivery.utcnow())
    for delivery_id in due:
        enqueue_delivery(app.extensions["celery"], delivery_id)
    click.echo(f"{count} deliveries put back in line")
    if delivery_ids and count < len(set(delivery_ids)):
        click.echo("(the other ids given are not failed deliveries: left as they are)", err=True)
