"""``moderation export-labels``: moderators' decisions as JSONL examples for retraining."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import IO

import click
from sqlalchemy import select
from sqlalchemy.orm import aliased

from moderation.cli.users import session_scope
from moderation.storage.moderators import TrainingLabel
from moderation.storage.tables import Article, Comment


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
    """Write every moderator decision as {text, label, reason_code, article_*, parent_text,
    model_* ...}, oldest first; ``moderation evaluate --labels`` and ``moderation train
    --labels`` read it."""
    comment, parent = aliased(Comment), aliased(Comment)
    query = (
        select(TrainingLabel, Article, parent.text)
        .outerjoin(Article, Article.id == TrainingLabel.article_id)
        .outerjoin(comment, comment.id == TrainingLabel.comment_id)
        .outerjoin(parent, parent.id == comment.parent_id)
        .order_by(TrainingLabel.id)
    )
    if since is not None:
        query = query.where(TrainingLabel.labelled_at >= since.replace(tzinfo=UTC))
    count = 0
    with session_scope() as session:
        for row, article, parent_text in session.execute(query):
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
                "article_title": article.title if article else None,
                "article_body": article.body if article else None,
                "article_language": article.language if article else None,
                "parent_text": parent_text,  # the comment it replies to, when stored
            }
            output_file.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"{count} labels exported", err=True)
