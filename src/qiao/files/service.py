"""Uploading, downloading and purging files — always through the permission layer.

An upload needs the right to create or edit records of the form and a field the user
may write; a download of a pending file is for its uploader only, of an attached file
for users who can see that record and that field. Everything else is a 404, so that
neither a file's nor a record's existence leaks.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.context import Ctx
from qiao.db import schema
from qiao.db.uow import after_commit
from qiao.errors import ErrorDetail, Forbidden, NotFound, QiaoError, ValidationFailed
from qiao.files.images import ImageRejected, inspect_image
from qiao.files.kinds import HEAD_BYTES, INLINE_MIMES, Kind, classify, extension
from qiao.files.store import CHUNK, new_key
from qiao.forms.fields._files import FileFieldType, descriptor
from qiao.forms.model import FieldMeta
from qiao.org.access import FormAccess, form_access, require_record
from qiao.org.permissions import require_user
from qiao.runtime import Runtime

#: pending uploads nobody saved into a record are purged after this long
PENDING_HOURS = 24
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]")


@dataclass
class Upload:
    """One file of a multipart request (the parser spooled it to a temp file)."""

    name: str
    stream: BinaryIO
    size: int | None = None


@dataclass
class _Checked:
    name: str
    kind: Kind
    stream: BinaryIO
    width: int | None = None
    height: int | None = None
    thumbnail: bytes | None = None


def clean_name(name: str) -> str:
    """The original name as a display string: no directories, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if len(name) > 200:
        ext = extension(name)
        name = name[: 200 - len(ext) - 1] + "." + ext if ext else name[:200]
    return name or "file"


def _file_field(access: FormAccess, field_key: str) -> FieldMeta:
    fm = access.form.by_key.get(field_key)
    if fm is None or not isinstance(fm.ftype, FileFieldType) or fm.id in access.hidden_ids():
        raise NotFound("field_not_found", key=field_key)
    if access.rule(fm).access == "read":
        raise Forbidden("field_read_only", label=fm.label)
    return fm


def _size(stream: BinaryIO) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def _check(fm: FieldMeta, ftype: FileFieldType, up: Upload) -> _Checked | str:
    """Checks of one file by size, name and content; an error code when refused."""
    name = clean_name(up.name)
    size = up.size if up.size is not None else _size(up.stream)
    if size > ftype.max_bytes(fm):
        return "file_too_large"
    if size == 0:
        return "file_empty"
    up.stream.seek(0)
    head = up.stream.read(HEAD_BYTES)
    up.stream.seek(0)
    if not ftype.accepts_extension(extension(name)):
        return "file_type_not_allowed"
    kind = classify(name, head, ftype.groups(fm))
    if isinstance(kind, str):
        return kind
    checked = _Checked(name, kind, up.stream)
    if kind.group == "image":
        try:
            info = inspect_image(up.stream, thumbnail=ftype.wants_thumbnail(fm))
        except ImageRejected as exc:
            return exc.code
        finally:
            up.stream.seek(0)
        checked.width, checked.height, checked.thumbnail = info.width, info.height, info.thumbnail
    return checked


class _Hashing:
    """A reader that hashes and counts what the store reads through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.sha = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n)
        self.sha.update(data)
        return data


def upload(
    rt: Runtime, ctx: Ctx, form_id: int, field_key: str, files: list[Upload]
) -> list[dict[str, Any]]:
    """Check every file (all or nothing), store them and record them as pending."""
    require_user(ctx)
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
    if not (access.can("create") or access.can("edit")):
        access.require("edit")
    fm = _file_field(access, field_key)
    ftype = fm.ftype
    assert isinstance(ftype, FileFieldType)
    if not files:
        raise ValidationFailed(details=[ErrorDetail("files", "file_missing", {})])
    if len(files) > ftype.max_files(fm):
        raise ValidationFailed(
            details=[ErrorDetail("files", "too_many_files", {"max": ftype.max_files(fm)})]
        )
    checked: list[_Checked] = []
    errors: list[ErrorDetail] = []
    for index, up in enumerate(files):
        result = _check(fm, ftype, up)
        if isinstance(result, str):
            params = {"name": clean_name(up.name), "max": ftype.max_bytes(fm) // (1024 * 1024)}
            errors.append(ErrorDetail(f"files[{index}]", result, params))
        else:
            checked.append(result)
    if errors:
        raise ValidationFailed(details=errors)

    stored: list[str] = []
    rows: list[dict[str, Any]] = []
    try:
        for item in checked:
            key = new_key()
            reader = _Hashing(item.stream)
            size = rt.files.put(key, reader)  # type: ignore[arg-type]
            stored.append(key)
            thumb_key = None
            if item.thumbnail is not None:
                thumb_key = new_key()
                rt.files.put(thumb_key, item.thumbnail)
                stored.append(thumb_key)
            rows.append(
                {
                    "storage_key": key,
                    "name": item.name,
                    "mime": item.kind.mime,
                    "size": size,
                    "sha256": reader.sha.hexdigest(),
                    "width": item.width,
                    "height": item.height,
                    "thumbnail_key": thumb_key,
                    "form_id": form_id,
                    "field_id": fm.id,
                    "created_by": ctx.user_id,
                    "created_at": ctx.now(),
                }
            )

        def insert(conn: Connection) -> list[dict[str, Any]]:
            f = schema.files
            out = []
            for row in rows:
                file_id = conn.execute(sa.insert(f).values(row).returning(f.c.id)).scalar_one()
                out.append(descriptor(conn.execute(sa.select(f).where(f.c.id == file_id)).one()))
            return out

        return rt.db.write(insert)
    except BaseException:
        for key in stored:
            rt.files.delete(key)
        raise


@dataclass
class Download:
    name: str
    mime: str
    size: int | None
    inline: bool
    chunks: Iterator[bytes]


def _readable_row(rt: Runtime, conn: Connection, ctx: Ctx, file_id: int) -> Any:
    """The file's row if this user may read it; NotFound otherwise."""
    f = schema.files
    row = conn.execute(sa.select(f).where(f.c.id == file_id)).first()
    if row is None or row.detached_at is not None:
        raise NotFound("file_not_found")
    if row.record_id is None:
        if row.created_by != ctx.user_id:
            raise NotFound("file_not_found")
        return row
    try:
        access = form_access(conn, ctx, rt.form(conn, row.form_id))
        fm = next((x for x in access.form.live_fields if x.id == row.field_id), None)
        if fm is None or fm.id in access.hidden_ids():
            raise NotFound("file_not_found")
        require_record(conn, access, row.record_id, "view")
    except QiaoError as exc:
        # no access to the form, a deleted form or field, a record out of scope
        raise NotFound("file_not_found") from exc
    return row


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


def download(rt: Runtime, ctx: Ctx, file_id: int, *, thumbnail: bool = False) -> Download:
    require_user(ctx)
    with rt.db.read() as conn:
        row = _readable_row(rt, conn, ctx, file_id)
    key = row.thumbnail_key if thumbnail else row.storage_key
    if key is None:
        raise NotFound("file_not_found")
    try:
        stream = rt.files.open(key)
    except FileNotFoundError as exc:
        raise NotFound("file_not_found") from exc
    if thumbnail:
        return Download(row.name, "image/webp", None, True, _chunks(stream))
    inline = row.mime in INLINE_MIMES
    return Download(row.name, row.mime, row.size, inline, _chunks(stream))


def purge_files(rt: Runtime, now: datetime) -> int:
    """Delete detached files, pending uploads older than ``PENDING_HOURS`` and the files
    of purged fields (rows in a transaction, blobs after it committed); returns how many."""
    f = schema.files
    field_gone = ~sa.exists().where(schema.fields.c.id == f.c.field_id)
    stale = sa.or_(
        f.c.detached_at.is_not(None),
        sa.and_(f.c.record_id.is_(None), f.c.created_at < now - timedelta(hours=PENDING_HOURS)),
        field_gone,  # the field (or its form) was purged after its retention period
    )

    def purge(conn: Connection) -> int:
        rows = conn.execute(
            sa.select(f.c.id, f.c.storage_key, f.c.thumbnail_key).where(stale).limit(1000)
        ).all()
        if not rows:
            return 0
        conn.execute(sa.delete(f).where(f.c.id.in_([r.id for r in rows])))
        keys = [k for r in rows for k in (r.storage_key, r.thumbnail_key) if k]

        def delete_blobs() -> None:
            for key in keys:
                rt.files.delete(key)

        after_commit(conn, delete_blobs)
        return len(rows)

    total = 0
    while count := rt.db.write(purge):
        total += count
    return total
