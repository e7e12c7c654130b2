"""Alembic environment: the URL or an open connection comes from `newsmon.store.db`, never an ini file."""

from alembic import context
from sqlalchemy import create_engine

from newsmon.store.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.attributes["url"])
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():  # pragma: no cover - we never generate SQL scripts offline
    raise SystemExit("newsmon migrations run online only")
run()
