"""Apply the platform's Alembic migrations (on every start; concurrent starts serialise)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from qiao.db import dialect

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config()
    with engine.execution_options(qiao_write=True).begin() as conn:
        dialect.migration_lock(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
