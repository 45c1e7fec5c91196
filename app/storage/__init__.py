"""SQLAlchemy models, Alembic migrations and the local database of the station."""
