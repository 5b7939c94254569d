"""comments.text_fingerprint: find copies of a text posted before (copy-paste spam)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 03:30:00.000000

Existing comments are fingerprinted here, a thousand at a time, so copies posted before the
upgrade count too.
"""

import sqlalchemy as sa
from alembic import context, op

from moderation.domain.repetition import fingerprint

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_fingerprint", sa.String(length=32), nullable=True))
        batch_op.create_index(
            "ix_comments_fingerprint_received", ["text_fingerprint", "received_at"], unique=False
        )
    if context.is_offline_mode():  # an SQL script: no rows to read; fingerprints stay NULL
        return
    comments = sa.table(
        "comments",
        sa.column("id", sa.String),
        sa.column("text", sa.Text),
        sa.column("text_fingerprint", sa.String),
    )
    connection = op.get_bind()
    update = (
        sa.update(comments)
        .where(comments.c.id == sa.bindparam("comment_id"))
        .values(text_fingerprint=sa.bindparam("value"))
    )
    after = ""
    while True:
        rows = connection.execute(
            sa.select(comments.c.id, comments.c.text)
            .where(comments.c.id > after)
            .order_by(comments.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        connection.execute(
            update, [{"comment_id": cid, "value": fingerprint(text)} for cid, text in rows]
        )
        after = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_fingerprint_received")
        batch_op.drop_column("text_fingerprint")
