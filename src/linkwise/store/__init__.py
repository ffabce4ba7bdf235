"""The store: SQLAlchemy Core tables, Alembic migrations and the queries over them."""
