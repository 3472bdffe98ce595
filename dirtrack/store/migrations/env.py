"""Alembic runs this file to apply dirtrack's revisions on the connection it is given.

``dirtrack.store.migrate`` puts the connection, already in its transaction and holding
the schema lock, in the configuration's attributes; the revisions run inside that one
transaction and it commits or rolls back.
"""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

from dirtrack.errors import ConfigError


def run() -> None:
    """Run the revisions Alembic chose on the connection ``migrate`` handed over."""
    from dirtrack.store import tables  # noqa: F401  (the models, for autogenerate)
    from dirtrack.store.migrate import environment_options

    connection = context.config.attributes.get("connection")
    if connection is None or context.is_offline_mode():
        raise ConfigError("dirtrack's revisions run through 'dirtrack db upgrade' "
                          "(or dirtrack.store.migrate), on a connection it opens")
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      **environment_options(connection))
    with context.begin_transaction():
        context.run_migrations()


# Alembic executes this file as the module "env_py"; anything else importing it (the
# doctest collector walks every module of the package) must find it inert.
if __name__ == "env_py":
    run()
