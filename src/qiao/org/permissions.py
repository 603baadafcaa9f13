"""Coarse permissions until permission groups arrive: schema changes need an admin."""

from __future__ import annotations

from qiao.context import Ctx
from qiao.errors import Forbidden, NotAuthenticated


def require_user(ctx: Ctx) -> None:
    if ctx.user is None:
        raise NotAuthenticated()


def require_admin(ctx: Ctx) -> None:
    require_user(ctx)
    assert ctx.user is not None
    if not ctx.user.is_admin:
        raise Forbidden("admin_required")
