"""The error report of an import: the file's rows as uploaded, with a first column
"错误说明 / Errors" listing each row's problems in the user's language, and every bad
cell filled red with a comment naming the rule.

The header row is the table's header (merged header cells already joined), so the
fixed report uploaded again as a new import maps the same way; the errors column is
never mapped (``import_plan.ERRORS_HEADER``). Text goes in as text cells
(``write_string``), never as formulas, so a cell starting with "=" stays inert.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import xlsxwriter

from qiao.errors import ErrorDetail
from qiao.i18n import translate
from qiao.io.import_plan import ERRORS_HEADER, Plan

MAX_COMMENTS = 20_000  # xlsxwriter keeps comments in memory; beyond this only the fill


def _key(detail: ErrorDetail) -> str:
    return detail.field.split(".", 1)[0].split("[", 1)[0]


def build(
    plan: Plan,
    locale: str,
    *,
    all_rows: bool = False,
    failed: dict[int, list[ErrorDetail]] | None = None,
) -> bytes:
    """The .xlsx report (only the rows with errors unless ``all_rows``)."""
    failed = failed or {}
    table = plan.table
    column_of = {key: index for index, key in plan.mapping.items()}
    labels = {key: table.columns[index] for key, index in column_of.items()}
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Errors" if locale == "en" else "错误")
    head = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    bad = book.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    wrap = book.add_format({"text_wrap": True, "font_color": "#9C0006", "valign": "top"})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    bad_date = book.add_format(
        {"num_format": "yyyy-mm-dd", "bg_color": "#FFC7CE", "font_color": "#9C0006"}
    )
    bad_datetime = book.add_format(
        {"num_format": "yyyy-mm-dd hh:mm:ss", "bg_color": "#FFC7CE", "font_color": "#9C0006"}
    )
    sheet.write_string(0, 0, ERRORS_HEADER, head)
    for c, label in enumerate(table.columns):
        sheet.write_string(0, c + 1, label, head)
    sheet.set_column(0, 0, 40)
    sheet.set_column(1, len(table.columns), 16)
    sheet.freeze_panes(1, 1)
    comments = 0
    out_row = 0
    for index, cells in enumerate(table.rows):
        row_no = table.row_numbers[index]
        details = list(plan.errors.get(index, [])) + list(failed.get(row_no, []))
        if not details and not all_rows:
            continue
        out_row += 1
        by_column: dict[int, list[str]] = {}
        lines: list[str] = []
        for detail in details:
            message = translate(detail.code, locale, detail.params)
            key = _key(detail)
            column_label = labels.get(key)
            sep = ": " if locale == "en" else "："
            lines.append(f"{column_label}{sep}{message}" if column_label else message)
            if key in column_of:
                by_column.setdefault(column_of[key], []).append(message)
        if lines:
            sheet.write_string(out_row, 0, "\n".join(dict.fromkeys(lines)), wrap)
        for c, cell in enumerate(cells):
            flagged = c in by_column
            _write(
                sheet,
                out_row,
                c + 1,
                cell,
                flagged,
                bad,
                date_fmt,
                datetime_fmt,
                bad_date,
                bad_datetime,
            )
            if flagged and comments < MAX_COMMENTS:
                sheet.write_comment(out_row, c + 1, "\n".join(by_column[c]), {"x_scale": 2})
                comments += 1
    book.close()
    return out.getvalue()


def _write(
    sheet: Any,
    r: int,
    c: int,
    cell: Any,
    flagged: bool,
    bad: Any,
    date_fmt: Any,
    datetime_fmt: Any,
    bad_date: Any,
    bad_datetime: Any,
) -> None:
    fmt = bad if flagged else None
    if cell is None or cell == "":
        if flagged:
            sheet.write_blank(r, c, None, bad)
        return
    if isinstance(cell, bool):
        sheet.write_boolean(r, c, cell, fmt)
    elif isinstance(cell, (int, float)):
        sheet.write_number(r, c, cell, fmt)
    elif isinstance(cell, datetime):
        naive = cell.replace(tzinfo=None)
        sheet.write_datetime(r, c, naive, bad_datetime if flagged else datetime_fmt)
    elif isinstance(cell, date):
        value = datetime(cell.year, cell.month, cell.day)
        sheet.write_datetime(r, c, value, bad_date if flagged else date_fmt)
    else:
        sheet.write_string(r, c, str(cell), fmt)
