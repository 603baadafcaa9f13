"""Comments on records."""

from __future__ import annotations

from fastapi import APIRouter, Response

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.comments import service
from qiao.comments.service import CommentIn

router = APIRouter(tags=["comments"])


@router.get("/forms/{form_id}/records/{record_id}/comments", summary="Comments, oldest first")
def list_comments(form_id: IdPath, record_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.list_comments(rt, ctx, form_id, record_id)})


@router.post(
    "/forms/{form_id}/records/{record_id}/comments",
    status_code=201,
    summary="Comment on a record (with @mentions)",
)
def add_comment(
    form_id: IdPath, record_id: IdPath, body: CommentIn, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(service.add_comment(rt, ctx, form_id, record_id, body), status_code=201)


@router.delete("/comments/{comment_id}", status_code=204, summary="Delete a comment")
def delete_comment(comment_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_comment(rt, ctx, comment_id)
    return Response(status_code=204)
