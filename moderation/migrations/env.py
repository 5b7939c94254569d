"""Alembic environment: migrations run against the URL the caller put in the config."""

from alembic import context
from sqlalchemy import create_engine

from moderation.storage import moderators  # noqa: F401  (registers the workspace tables)
from moderation.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    url = config.get_main_option("sqlalchemy.url")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url)  # type: ignore[arg-type]
    with engine.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
