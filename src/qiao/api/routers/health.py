"""Liveness and readiness: answers only when the database answers."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter

from qiao import __version__
from qiao.api.deps import RuntimeDep
from qiao.api.json import JSON

router = APIRouter(tags=["health"])


@router.get("/health", summary="Health check (database reachable)")
def health(rt: RuntimeDep) -> JSON:
    with rt.db.read() as conn:
        conn.execute(sa.text("SELECT 1"))
    return JSON({"status": "ok", "version": __version__, "database": rt.db.engine.dialect.name})
