"""``moderation export-labels``: moderators' decisions as JSONL examples for retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import IO

import click
from sqlalchemy import select

from moderation.cli.users import session_scope
from moderation.storage.moderators import TrainingLabel


@click.command("export-labels")
@click.option(
    "--output",
    "output_file",
    type=click.File("w", encoding="utf-8"),
    default="-",
    show_default=True,
    help="JSONL file to write; - for stdout.",
)
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Only labels made at or after this UTC date/time.",
)
def export_labels(output_file: IO[str], since: datetime | None) -> None:
    """Write every moderator decision as {text, label, reason_code, model_* ...}, oldest first."""
    query = select(TrainingLabel).order_by(TrainingLabel.id)
    if since is not None:
        query = query.where(TrainingLabel.labelled_at >= since.replace(tzinfo=UTC))
    count = 0
    with session_scope() as session:
        for row in session.scalars(query):
            record = {
                "comment_id": row.comment_id,
                "article_id": row.article_id,
                "text": row.text,
                "language": row.language,
                "label": row.label,
                "reason_code": row.reason_code,
                "model_action": row.model_action,
                "model_scores": row.model_scores,
                "model_version": row.model_version,
                "labelled_by": row.labelled_by,
                "labelled_at": row.labelled_at.isoformat(),
            }
            output_file.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"{count} labels exported", err=True)
