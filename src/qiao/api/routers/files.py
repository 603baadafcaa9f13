"""File uploads for attachment, image and signature fields, and their downloads."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import StreamingResponse

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.files import service
from qiao.files.service import Download, Upload

router = APIRouter(tags=["files"])

#: the upload route, which alone gets the larger body limit (``max_upload_bytes``)
UPLOAD_PATH = r"^/api/v1/forms/[0-9]+/fields/[^/]+/files$"


@router.post(
    "/forms/{form_id}/fields/{field_key}/files",
    status_code=201,
    summary="Upload files for a file field (pending until a record saves them)",
)
def upload_files(
    form_id: IdPath,
    field_key: str,
    files: Annotated[list[UploadFile], File(description="one or more files")],
    ctx: CtxDep,
    rt: RuntimeDep,
) -> JSON:
    uploads = [Upload(f.filename or "", f.file, f.size) for f in files]
    return JSON({"items": service.upload(rt, ctx, form_id, field_key, uploads)}, status_code=201)


def content_disposition(name: str, inline: bool) -> str:
    """An ASCII fallback name plus the RFC 5987 UTF-8 name (Chinese file names)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _respond(found: Download, name: str) -> StreamingResponse:
    headers = {
        "Content-Disposition": content_disposition(name, found.inline),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, max-age=300",
    }
    if found.size is not None:
        headers["Content-Length"] = str(found.size)
    return StreamingResponse(found.chunks, media_type=found.mime, headers=headers)


@router.get("/files/{file_id}", summary="Download a file (if its record and field are visible)")
def download_file(file_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> StreamingResponse:
    found = service.download(rt, ctx, file_id)
    return _respond(found, found.name)


@router.get("/files/{file_id}/thumbnail", summary="An image file's thumbnail (WebP)")
def file_thumbnail(file_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> StreamingResponse:
    found = service.download(rt, ctx, file_id, thumbnail=True)
    stem = found.name.rsplit(".", 1)[0] if "." in found.name else found.name
    return _respond(found, f"{stem}.webp")
