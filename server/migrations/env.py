"""Alembic environment for the hub: run on the connection the hub hands over."""

from alembic import context

from server.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
