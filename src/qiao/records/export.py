"""The CSV export of ``/forms/{id}/records/export.csv`` and the formula-injection guard.

The export itself lives in :mod:`qiao.io.exports` (one path for CSV and XLSX: the
permission layer, keyset pages, audit); this module keeps the old entry point and
``neutralise``, which every writer of user text into a spreadsheet uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.records.reads import ListQuery
    from qiao.runtime import Runtime

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    """Prefix a quote to text a spreadsheet would run as a formula."""
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def export_csv(
    rt: Runtime, ctx: Ctx, form_id: int, query: ListQuery
) -> tuple[str, Iterator[bytes]]:
    """(file name, body chunks). Checks and the audit entry happen before streaming."""
    from qiao.io.exports import ExportRequest, export

    name, _media, body = export(
        rt,
        ctx,
        form_id,
        ExportRequest(
            format="csv", filter=query.filter, sort=query.sort, fields=query.fields, q=query.q
        ),
    )
    return name, body
