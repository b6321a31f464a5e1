"""Alembic environment: runs on the connection mediadigest hands over (see store.migrate)."""

from alembic import context

from mediadigest.store import collect_state  # noqa: F401  (registers its tables on metadata)
from mediadigest.store.schema import metadata
from mediadigest.stories import persist as stories_persist  # noqa: F401  (likewise)
from mediadigest.web import persist as web_persist  # noqa: F401  (likewise)

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
)
with context.begin_transaction():
    context.run_migrations()
