"""Storage adapters: SQLAlchemy tables, the database handle, and migrations."""
