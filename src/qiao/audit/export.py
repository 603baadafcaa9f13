"""The audit log as CSV, streamed, for Excel users and for archiving.

UTF-8 with a byte-order mark, because Excel reads a CSV without one in the machine's
ANSI code page and shows Chinese as mojibake. Cells that start like a formula are
neutralised with a leading apostrophe (CSV injection: a username ``=HYPERLINK(...)``
would otherwise run when the file is opened). Exporting is itself audited, and the
file holds exactly the entries up to that export entry, however long it takes to stream.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from qiao.audit import log
from qiao.audit.search import AuditFilter, iterate
from qiao.context import Ctx
from qiao.i18n import translate
from qiao.org.permissions import require_admin
from qiao.runtime import Runtime

BOM = "\ufeff"
#: first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "seq",
    "at",
    "username",
    "user_display_name",
    "ip",
    "user_agent",
    "action",
    "app",
    "form",
    "record_id",
    "object",
    "summary",
    "details",
    "hash",
)


def neutralise(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _row(item: dict[str, Any]) -> list[str]:
    obj = f"{item['object_type']}:{item['object_id']}" if item["object_type"] else ""
    cells: list[Any] = [
        item["seq"],
        item["at"].strftime("%Y-%m-%d %H:%M:%S"),
        item["username"],
        item["user_display_name"],
        item["ip"],
        item["user_agent"],
        item["action_label"],
        item["app_name"] or item["app_id"],
        item["form_name"] or item["form_id"],
        item["record_id"],
        obj,
        item["summary"],
        json.dumps(item["details"], ensure_ascii=False, sort_keys=True),
        item["hash"],
    ]
    return [neutralise(c) for c in cells]


def start(rt: Runtime, ctx: Ctx, f: AuditFilter) -> int:
    """Check the right and write the export's own entry; returns its seq."""
    require_admin(ctx)
    return rt.db.write(
        lambda conn: log.append(
            conn, ctx, "audit_export", object_type="audit_log", details={"filters": f.json()}
        )
    )


def stream(rt: Runtime, ctx: Ctx, f: AuditFilter, upto: int) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([translate(f"audit.column.{c}", ctx.locale) for c in COLUMNS])
    yield (BOM + buffer.getvalue()).encode()
    for batch in iterate(rt, ctx, f, upto=upto):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(_row(item) for item in batch)
        yield buffer.getvalue().encode()


def filename(ctx: Ctx) -> str:
    return f"audit-{ctx.now().astimezone(ctx.tz).strftime('%Y%m%d-%H%M%S')}.csv"
