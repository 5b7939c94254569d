"""The database handle: one engine per process, short sessions, migrations on demand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the web threads read while a worker writes; the busy timeout queues writers.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_SYNCHRONOUS = {"NORMAL": "NORMAL", "FULL": "FULL", "EXTRA": "EXTRA"}  # never interpolate input


def normalise_url(url: str) -> str:
    """Accept the common ``postgres://`` and ``postgresql://`` spellings; use psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Database:
    """Engine plus session factory for one database URL."""

    def __init__(self, url: str, *, sqlite_synchronous: str = "NORMAL") -> None:
        """``sqlite_synchronous``: SQLite's ``PRAGMA synchronous`` (docs/decisions.md).

        In WAL mode NORMAL keeps every commit through a crash of any process; only a power
        loss or an operating-system crash can take back the last commits. FULL makes those
        durable too, at one disk flush per commit, which every writer waits for in turn.
        """
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database:
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(self.url, connect_args={"timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            synchronous = f"PRAGMA synchronous={_SYNCHRONOUS[sqlite_synchronous]}"

            @event.listens_for(self.engine, "connect")
            def _synchronous(dbapi_connection: Any, _record: Any) -> None:
                cursor = dbapi_connection.cursor()
                cursor.execute(synchronous)
                cursor.close()

        else:
            self.engine = create_engine(self.url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        self.session = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def upgrade(self) -> None:
        """Bring the schema to the newest migration."""
        command.upgrade(alembic_config(self.url), "head")

    def dispose(self) -> None:
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
