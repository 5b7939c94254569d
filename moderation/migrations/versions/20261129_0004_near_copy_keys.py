"""near_copy_keys: find near copies of a text posted before (varied copy-paste spam)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:00:00.000000

Existing comments get their keys here, a thousand at a time, so near copies posted before the
upgrade count too.
"""

import sqlalchemy as sa
from alembic import context, op

from moderation.domain.repetition import folded, near_copy_keys

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    keys = op.create_table(
        "near_copy_keys",
        sa.Column("comment_id", sa.String(length=128), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"]),
        sa.PrimaryKeyConstraint("comment_id", "key"),
    )
    op.create_index(
        "ix_near_copy_keys_key_received", "near_copy_keys", ["key", "received_at"], unique=False
    )
    if context.is_offline_mode():  # an SQL script: no rows to read; older comments get no keys
        return
    comments = sa.table(
        "comments",
        sa.column("id", sa.String),
        sa.column("text", sa.Text),
        sa.column("received_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    after = ""
    while True:
        rows = connection.execute(
            sa.select(comments.c.id, comments.c.text, comments.c.received_at)
            .where(comments.c.id > after)
            .order_by(comments.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        values = [
            {"comment_id": cid, "key": key, "received_at": received_at}
            for cid, text, received_at in rows
            for key in near_copy_keys(folded(text))
        ]
        if values:
            connection.execute(sa.insert(keys), values)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_near_copy_keys_key_received", table_name="near_copy_keys")
    op.drop_table("near_copy_keys")
