"""The Alembic migrations build exactly the platform tables described in db/schema.py."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from qiao.db.engine import make_engine
from qiao.db.migrate import upgrade
from qiao.db.schema import metadata


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # idempotent
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                "include_name": lambda name, type_, _p: (
                    not (type_ == "table" and name is not None and name.startswith(("qf_", "qj_")))
                ),
            },
        )
        diff = compare_metadata(context, metadata)
    engine.dispose()
    return list(diff)


def test_sqlite_migrations_match_metadata(tmp_path: Path) -> None:
    assert _diff(f"sqlite:///{tmp_path / 'm.db'}") == []


def test_postgres_migrations_match_metadata(pg_url: str) -> None:
    engine = make_engine(pg_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    assert _diff(pg_url) == []
    engine = make_engine(pg_url)
    assert "qiao_fields" in sa.inspect(engine).get_table_names()
    engine.dispose()
