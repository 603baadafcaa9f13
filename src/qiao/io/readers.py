"""Read uploaded spreadsheets (.xlsx, .xlsm, .xls, .ods, .csv, .txt) into plain rows.

Workbooks are read with python-calamine (Rust, several times faster than openpyxl): cells
come back as text, numbers, booleans, dates and datetimes, so a date-formatted cell stays
a date and an Excel serial typed as a plain number stays a number for the cleansers to
judge. CSV and text files are decoded by :func:`decode_text` (UTF-8 with or without a
BOM, UTF-16 with a BOM, GBK/GB18030) and split on the delimiter that fits the first lines
best; their cells stay text so that leading zeros and long digits survive.

:func:`detect_header` and :func:`to_table` turn a sheet as people really make them —
blank rows on top, a merged title row, a merged group row above the headers, vertically
merged cells in the data — into a rectangular table with unique column labels.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import PurePath
from typing import Any

import python_calamine

from qiao.errors import BadRequest
from qiao.io import sheet_formats

Cell = str | int | float | bool | date | datetime | None
Range = tuple[int, int, int, int]


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]  # every row as read (ragged allowed)
    merged: list[Range]  # (row0, col0, row1, col1), 0-based, inclusive


@dataclass
class Table:
    """The data under the header row. Rows that need no change are the sheet's own lists
    (no copy of a 100,000-row sheet): both are read-only once built."""

    columns: list[str]
    rows: list[list[Cell]]
    row_numbers: list[int]  # the 1-based row number each data row has in the spreadsheet


SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".ods")
_TEXT_SUFFIXES = (".csv", ".txt")
_ZIP_SUFFIXES = (".xlsx", ".xlsm", ".ods")

#: limits against decompression bombs: what a zip member may expand to, in all and
#: relative to its compressed size (real sheets compress about 10:1, rarely beyond 100:1)
MAX_UNZIPPED = 512 << 20
MAX_RATIO = 200
#: calamine allocates rows × columns cells for a sheet, however sparse: a sheet reaching
#: further than this is refused before it is read (a few kB with a cell in A1 and one in
#: XFD1048576 would otherwise ask for 500 GB and abort the process)
MAX_CELLS = 20_000_000
_HEADER_SCAN = 50  # rows looked at to find the header


# ----- reading ---------------------------------------------------------------------------
def read_workbook(content: bytes, filename: str) -> list[Sheet]:
    """Every visible worksheet of the file (hidden sheets only when all are hidden)."""
    suffix = PurePath(filename).suffix.lower()
    if suffix not in SUFFIXES:
        raise BadRequest("import_file_type", name=filename)
    if not content.strip():
        raise BadRequest("import_file_empty", name=filename)
    if suffix in _TEXT_SUFFIXES:
        sheets = [read_text(content, PurePath(filename).stem or "Sheet1")]
    else:
        sheets = _read_book(content, filename, suffix)
    if not any(c is not None for s in sheets for row in s.rows for c in row):
        raise BadRequest("import_file_empty", name=filename)
    return sheets


def read_text(content: bytes, name: str = "Sheet1") -> Sheet:
    """A delimited text file as one sheet of text cells (blank cells are None)."""
    text = decode_text(content)
    delimiter = sniff_delimiter(text)
    csv.field_size_limit(1 << 24)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows: list[list[Cell]] = [[c if c else None for c in line] for line in reader]
    except csv.Error as exc:
        raise BadRequest("import_file_unreadable", name=name) from exc
    return Sheet(name, rows, [])


def decode_text(content: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with a BOM (Excel's "Unicode text"), else
    GB18030 — a superset of GBK and GB2312, what Chinese Excel writes CSV in."""
    if content.startswith(b"\xef\xbb\xbf"):
        return content[3:].decode("utf-8", errors="replace")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", errors="replace")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gb18030", errors="replace")


def sniff_delimiter(text: str, candidates: str = ",\t;|") -> str:
    """The delimiter that splits the first lines into the same number (>1) of fields most
    consistently; a comma when nothing fits better."""
    sample = text[:65536]
    lines = [line for line in sample.splitlines()[:50] if line.strip()]
    if len(sample) == 65536 and len(lines) > 1:
        lines = lines[:-1]  # possibly cut in the middle
    best, best_score = ",", (0.0, 0)
    for delimiter in candidates:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        width, hits = Counter(counts).most_common(1)[0]
        if width < 2:
            continue
        score = (hits / len(counts), width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_book(content: bytes, filename: str, suffix: str) -> list[Sheet]:
    is_zip = content[:4] == b"PK\x03\x04"
    if is_zip:
        _check_zip(content, filename)
    elif (
        suffix == ".xls"
        and content[:4] != b"\xd0\xcf\x11\xe0"
        and sheet_formats.looks_like_text(content)
    ):
        return [_read_disguised(content, filename)]  # an HTML or text file named .xls
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except python_calamine.PasswordError as exc:
        raise BadRequest("import_file_encrypted", name=filename) from exc
    except BaseException as exc:  # calamine raises several kinds, a Rust panic included
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise BadRequest("import_file_unreadable", name=filename) from exc
    try:
        metas = [
            m for m in book.sheets_metadata if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        visible = [m for m in metas if m.visible == python_calamine.SheetVisibleEnum.Visible]
        sheets = [_read_sheet(book, meta.name, filename) for meta in visible or metas]
    finally:
        book.close()
    if is_zip and suffix == ".ods":  # calamine gives no merged ranges for .ods
        merged = sheet_formats.ods_merged(content)
        for sheet in sheets:
            sheet.merged = merged.get(sheet.name, [])
    return sheets


def _read_disguised(content: bytes, filename: str) -> Sheet:
    name = PurePath(filename).stem or "Sheet1"
    text = decode_text(content)
    if sheet_formats.looks_like_html(text):
        rows, merged = sheet_formats.html_table(text)
        return Sheet(name, [list(row) for row in rows], merged)
    return read_text(content, name)


def _read_sheet(book: python_calamine.CalamineWorkbook, name: str, filename: str) -> Sheet:
    try:
        sheet = book.get_sheet_by_name(name)
        if sheet.height * max(sheet.width, 1) > MAX_CELLS:
            raise BadRequest("import_file_too_large", name=filename)
        raw = sheet.to_python(skip_empty_area=False)
        merged = sheet.merged_cell_ranges or []
    except BadRequest:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise BadRequest("import_file_unreadable", name=filename) from exc
    rows = [_row(values) for values in raw]
    return Sheet(name, rows, [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged])


def _row(values: list[Any]) -> list[Cell]:
    """Calamine's cells as :data:`Cell` values: "" → None, whole floats → int (a phone
    number or an amount typed as a number), times and durations → text; trailing blanks
    dropped. Changed in place: the list is calamine's fresh one, and a second list per
    row would cost its allocation and, on a large sheet, more of the garbage collector's
    time than the conversion itself; most cells (non-empty text) are left as they are."""
    out: list[Any] = values
    for i, v in enumerate(values):
        t = type(v)
        if t is str:
            if not v:
                out[i] = None
        elif t is float:
            if v.is_integer() and abs(v) < 1e15:
                out[i] = int(v)
        elif t is time or t is timedelta:
            out[i] = _clock_text(v)
    while out and out[-1] is None:
        out.pop()
    return out


def _clock_text(value: time | timedelta) -> str:
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    seconds = int(value.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    return f"{sign}{seconds // 3600}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _check_zip(content: bytes, filename: str) -> None:
    """Refuse archives that would expand to far more than any real spreadsheet."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise BadRequest("import_file_unreadable", name=filename) from exc
    total = sum(i.file_size for i in infos)
    if total > MAX_UNZIPPED or any(
        i.file_size > (1 << 20) and i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos
    ):
        raise BadRequest("import_file_too_large", name=filename)
    try:
        extents = sheet_formats.xlsx_extents(content)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise BadRequest("import_file_unreadable", name=filename) from exc
    if any(rows * cols > MAX_CELLS for rows, cols in extents):
        raise BadRequest("import_file_too_large", name=filename)


# ----- text of cells ---------------------------------------------------------------------
def cell_text(cell: Cell) -> str:
    """The cell as a person reads it in Excel: 12.0 → "12", 15 significant digits, dates
    ISO, booleans TRUE/FALSE."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        if math.isnan(cell) or math.isinf(cell):
            return ""
        if cell.is_integer() and abs(cell) < 1e15:
            return str(int(cell))
        text = f"{cell:.15g}"  # Excel shows 15 significant digits: 0.1 + 0.2 is 0.3
        return format(Decimal(text), "f") if "e" in text else text
    if isinstance(cell, datetime):
        if cell.time() == time():
            return cell.date().isoformat()
        return cell.isoformat(sep=" ", timespec="seconds")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def sheet_preview(sheet: Sheet, limit: int = 20) -> list[list[str]]:
    """The first rows as text, padded to the same width, for choosing the header row."""
    rows = sheet.rows[:limit]
    width = max((len(r) for r in rows), default=0)
    return [[cell_text(c) for c in r] + [""] * (width - len(r)) for r in rows]


# ----- header detection --------------------------------------------------------------------
_NUMERIC = re.compile(r"^[\s¥$￥€£+\-(]*[\d,.]+[%万亿元)\s]*$")


def _is_label(cell: Cell) -> bool:
    """Text that could name a column: not a number, date or numeric-looking text."""
    return isinstance(cell, str) and bool(cell.strip()) and not _NUMERIC.match(cell)


def _filled(row: list[Cell]) -> list[int]:
    return [i for i, c in enumerate(row) if c is not None and not _blank_text(c)]


def _blank_text(cell: Cell) -> bool:
    return isinstance(cell, str) and not cell.strip()


def detect_header(sheet: Sheet) -> int:
    """The 0-based index of the likely header row: blank rows and title rows (one value in
    a wide table, usually merged across it) are skipped; the first row that is mostly
    non-empty text wins; when that row is a merged group row (基本信息 | 联系方式) and the
    row under it holds the real labels, the row under it."""
    rows = sheet.rows[:_HEADER_SCAN]
    filled = [_filled(r) for r in rows]
    width = max((len(f) for f in filled), default=0)
    if width == 0:
        return 0
    candidates = [i for i, f in enumerate(filled) if f and not (len(f) == 1 and width > 1)]
    if not candidates:
        return next(i for i, f in enumerate(filled) if f)
    need = max(2, math.ceil(width * 0.5)) if width > 1 else 1
    for i in candidates:
        cells = [rows[i][c] for c in filled[i]]
        labels = sum(1 for c in cells if _is_label(c))
        if len(cells) >= min(need, width) and labels >= 0.6 * len(cells):
            if _is_group_row(sheet, i, filled) and _looks_like_labels(rows, filled, i + 1):
                return i + 1
            return i
    return candidates[0]


def _is_group_row(sheet: Sheet, i: int, filled: list[list[int]]) -> bool:
    return any(r0 <= i <= r1 and r1 == i and c1 > c0 for r0, c0, r1, c1 in sheet.merged)


def _looks_like_labels(rows: list[list[Cell]], filled: list[list[int]], i: int) -> bool:
    if i >= len(rows) or not filled[i]:
        return False
    cells = [rows[i][c] for c in filled[i]]
    return sum(1 for c in cells if _is_label(c)) >= 0.8 * len(cells)


# ----- the table ---------------------------------------------------------------------------
def to_table(sheet: Sheet, header_row: int) -> Table:
    """The rows under ``header_row`` as a rectangular table with unique column labels;
    empty columns left of the table (a sheet that starts in column B) are not part of it.

    A row already in its final shape is the sheet's own list; the others are copied once,
    straight into that shape (padded, cut at the left edge, merged cells filled): the
    sheet's rows are never changed, since a cached sheet serves several tables (another
    header row chosen). Copying every row cost more than the rest of this function on a
    large sheet (mostly the garbage collector walking the new lists)."""
    rows = sheet.rows
    below = rows[header_row:]
    width = max(map(len, below), default=0)
    left = _left_edge(below, width)
    header: list[Cell] = list(rows[header_row]) if header_row < len(rows) else []
    header += [None] * (width - len(header))
    group: dict[int, str] = {}
    title_above = header_row > 0 and _is_title(sheet, header_row - 1, left, width)
    fills: dict[int, list[tuple[int, Cell]]] = {}  # data row offset -> (column, value)
    for r0, c0, r1, c1 in sheet.merged:
        value = _at(rows, r0, c0)
        if r0 <= header_row <= r1:
            for c in range(c0, min(c1, width - 1) + 1):
                header[c] = value
        elif r1 == header_row - 1 and c1 > c0 and not title_above:
            for c in range(c0, min(c1, width - 1) + 1):
                group[c] = _label(value)
        if r0 > header_row and r1 > r0:
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                fills.setdefault(r - header_row - 1, []).append((c0, value))
    labels = [_column_label(header[c], group.get(c, ""), c) for c in range(left, width)]
    out_rows: list[list[Cell]] = []
    numbers: list[int] = []
    first = header_row + 2
    for offset, row in enumerate(rows[header_row + 1 :]):
        cells = fills.get(offset)
        if cells is not None:
            row = _filled_in(row, cells)
        if not _has_value(row):
            continue
        pad = width - len(row)
        if left:
            out_rows.append(row[left:] + [None] * pad if pad else row[left:])
        elif pad:
            out_rows.append(row + [None] * pad)
        else:
            out_rows.append(row)
        numbers.append(first + offset)
    return Table(_unique(labels), out_rows, numbers)


def _filled_in(row: list[Cell], cells: list[tuple[int, Cell]]) -> list[Cell]:
    """A copy of ``row`` with the blank cells a vertical merge covers given the merged
    value (the first range wins where two cover a cell)."""
    row = list(row)
    for c0, value in cells:
        if c0 >= len(row):
            row.extend([None] * (c0 + 1 - len(row)))
        if row[c0] is None:
            row[c0] = value
    return row


def _has_value(row: list[Cell]) -> bool:
    """Not a blank row (a loop, not ``any`` over a generator: the first cell usually
    decides, and this runs once per data row)."""
    for cell in row:
        if cell is not None and not (isinstance(cell, str) and not cell.strip()):
            return True
    return False


def _is_title(sheet: Sheet, r: int, left: int, width: int) -> bool:
    """A row with one value merged across the whole table (a caption, not a group)."""
    if len(_filled(sheet.rows[r] if r < len(sheet.rows) else [])) > 1:
        return False
    return any(r0 <= r <= r1 and c0 <= left and c1 >= width - 1 for r0, c0, r1, c1 in sheet.merged)


def _left_edge(rows: list[list[Cell]], width: int) -> int:
    """The first column holding a value in any of ``rows``."""
    left = width
    for row in rows:
        for c, cell in enumerate(row[:left]):
            if cell is not None and not _blank_text(cell):
                left = c
                break
        if left == 0:
            return 0
    return left if left < width else 0


def _at(rows: list[list[Cell]], r: int, c: int) -> Cell:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def _label(cell: Cell) -> str:
    """Header text on one line: the lines of a wrapped header joined, spaces collapsed."""
    lines = [part.strip() for part in cell_text(cell).splitlines() if part.strip()]
    text = ""
    for line in lines:
        if text and text[-1].isascii() and text[-1].isalnum() and line[0].isascii():
            text += " "
        text += line
    return re.sub(r"\s+", " ", text)


def _column_label(cell: Cell, group: str, index: int) -> str:
    label = _label(cell)
    if group and label and group != label:
        return f"{group}-{label}"
    return label or group or f"列{index + 1}"


def _unique(labels: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for label in labels:
        name, n = label, 1
        while name in seen:
            n += 1
            name = f"{label} ({n})"
        seen.add(name)
        out.append(name)
    return out
