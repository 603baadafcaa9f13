"""Alembic environment: always run programmatically with a connection from qiao."""

from __future__ import annotations

from alembic import context

from qiao.db.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    # Form tables (qf_*, qj_*, qs_*) are built at run time and are not Alembic's business.
    include_name=lambda name, type_, _parent: (
        not (type_ == "table" and name is not None and name.startswith(("qf_", "qj_", "qs_")))
    ),
)
with context.begin_transaction():
    context.run_migrations()
