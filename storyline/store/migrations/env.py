"""Alembic's entry to the store's schema revisions (run by Alembic, never imported).

`storyline db upgrade` and `Store` hand Alembic a connection that already holds the schema lock
(`config.attributes["connection"]`, see storyline.store.migrate). Developers running `alembic`
from the repository (its alembic.ini) name a store with `-x db=URL` (default: $STORYLINE_DB or
./storyline.db); the same lock is taken here. SQLite alters tables in batch mode (copy, drop,
rename), the only way it can change a column.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from storyline.settings import default_db_url
from storyline.store.migrate import is_modelled, schema_engine, schema_lock
from storyline.store.schema import Base


def run_migrations(connection: Connection) -> None:
    """Run what the Alembic command asks (upgrade, downgrade, autogenerate) over `connection`."""
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        include_object=is_modelled,
    )
    with context.begin_transaction():
        context.run_migrations()


given = context.config.attributes.get("connection")
if given is not None:
    run_migrations(given)
else:
    engine = schema_engine(context.get_x_argument(as_dictionary=True).get("db") or default_db_url())
    try:
        with schema_lock(engine) as connection:
            run_migrations(connection)
    finally:
        engine.dispose()
