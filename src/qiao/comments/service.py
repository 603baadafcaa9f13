"""Comments on records: listed oldest first, written by any user on a live record,
deleted (softly) by their author or an admin."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.db.types import Id
from qiao.errors import BadRequest, ErrorDetail, Forbidden, NotFound
from qiao.org.access import form_access
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

comments_t, users_t = schema.comments, schema.users
MAX_MENTIONS = 50


class CommentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    body: str = Field(min_length=1, max_length=10000)
    mentions: list[Id] = Field(default_factory=list, max_length=MAX_MENTIONS)


def _check_record(
    rt: Runtime, conn: Connection, ctx: Ctx, form_id: int, record_id: int, live: bool
) -> None:
    """Comments belong to the record: only those who may see it read or write them."""
    access = form_access(conn, ctx, rt.form(conn, form_id))
    table = access.form.table
    query = sa.select(table.c.id).where(table.c.id == record_id, *access.scope_clauses("view"))
    if not access.can("view"):
        query = query.where(sa.false())
    if live:
        query = query.where(table.c.deleted_at.is_(None))
    if conn.execute(query).first() is None:
        raise NotFound("record_not_found")


def _rows(conn: Connection, where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(comments_t, users_t.c.display_name)
        .join(users_t, users_t.c.id == comments_t.c.author_id)
        .where(where, comments_t.c.deleted_at.is_(None))
        .order_by(comments_t.c.id)
    ).all()
    return [
        {
            "id": r.id,
            "form_id": r.form_id,
            "record_id": r.record_id,
            "author": {"id": r.author_id, "display_name": r.display_name},
            "body": r.body,
            "mentions": list(r.mentions),
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }
        for r in rows
    ]


def list_comments(rt: Runtime, ctx: Ctx, form_id: int, record_id: int) -> list[dict[str, Any]]:
    require_user(ctx)
    with rt.db.read() as conn:
        _check_record(rt, conn, ctx, form_id, record_id, live=False)
        return _rows(
            conn, sa.and_(comments_t.c.form_id == form_id, comments_t.c.record_id == record_id)
        )


def _check_mentions(conn: Connection, mentions: list[int]) -> list[int]:
    """The mentioned users once each, in order; errors name the positions as sent."""
    unique = list(dict.fromkeys(mentions))
    active = set(
        conn.execute(
            sa.select(users_t.c.id).where(users_t.c.id.in_(unique), users_t.c.is_active)
        ).scalars()
    )
    errors = [
        ErrorDetail(f"mentions[{i}]", "mention_unknown_user", {"id": uid})
        for i, uid in enumerate(mentions)
        if uid not in active
    ]
    if errors:
        raise BadRequest("request_invalid", details=errors)
    return unique


def add_comment(
    rt: Runtime, ctx: Ctx, form_id: int, record_id: int, data: CommentIn
) -> dict[str, Any]:
    require_user(ctx)
    body = data.body.strip()
    if not body:
        raise BadRequest("request_invalid", details=[ErrorDetail("body", "missing")])

    def run(conn: Connection) -> dict[str, Any]:
        _check_record(rt, conn, ctx, form_id, record_id, live=True)
        mentions = _check_mentions(conn, data.mentions)
        now = ctx.now()
        comment_id = conn.execute(
            sa.insert(comments_t)
            .values(
                form_id=form_id,
                record_id=record_id,
                author_id=ctx.user_id,
                body=body,
                mentions=mentions,
                created_at=now,
                updated_at=now,
            )
            .returning(comments_t.c.id)
        ).scalar_one()
        return _rows(conn, comments_t.c.id == comment_id)[0]

    return rt.db.write(run)


def delete_comment(rt: Runtime, ctx: Ctx, comment_id: int) -> None:
    require_user(ctx)
    assert ctx.user is not None
    user = ctx.user

    def run(conn: Connection) -> None:
        row = conn.execute(
            sa.select(comments_t.c.author_id).where(
                comments_t.c.id == comment_id, comments_t.c.deleted_at.is_(None)
            )
        ).first()
        if row is None:
            raise NotFound("comment_not_found")
        if row.author_id != user.id and not user.is_admin:
            raise Forbidden("comment_not_yours")
        conn.execute(
            sa.update(comments_t).where(comments_t.c.id == comment_id).values(deleted_at=ctx.now())
        )

    rt.db.write(run)
