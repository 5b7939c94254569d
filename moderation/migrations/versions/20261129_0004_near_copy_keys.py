"""near_copy_keys: find near copies of a text posted before (varied copy-paste spam)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 08:00:00.000000

Existing comments get their keys here, a thousand at a time, so near copies posted before the
upgrade count too.
"""

import sqlalchemy as sa
from alembic import context, op

from moderation.domain.repetition import folded, near_copy_keys_many

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_BATCH = 1000


def upgrade() -> None:
    keys = op.create_table(
        "near_copy_keys",
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("comment_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["comment_id"], ["comments.id"]),
        sa.PrimaryKeyConstraint("key", "comment_id"),
        sqlite_with_rowid=False,  # the table is its primary key's B-tree (see tables.py)
    )
    if context.is_offline_mode():  # an SQL script: no rows to read; older comments get no keys
        return
    comments = sa.table("comments", sa.column("id", sa.String), sa.column("text", sa.Text))
    connection = op.get_bind()
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
        found = near_copy_keys_many([folded(text) for _, text in rows])
        values = [
            {"comment_id": cid, "key": key}
            for (cid, _), keys in zip(rows, found, strict=True)
            for key in keys
        ]
        if values:
            connection.execute(sa.insert(keys), values)
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_table("near_copy_keys")
