"""What python-calamine does not read for us: merged cells of .ods files, and ".xls" files
that are really an HTML table or tab-separated text — what many Chinese ERP, bank and
government systems export under an .xls name, and what users then try to import.
"""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from xml.etree.ElementTree import ParseError, iterparse

Range = tuple[int, int, int, int]

_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"


def ods_merged(content: bytes) -> dict[str, list[Range]]:
    """Merged ranges per sheet name of an .ods file, read from content.xml's spanned
    cells (only parsed when the file has any); {} when there are none or on any error."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive, archive.open("content.xml") as xml:
            data = xml.read()
    except (KeyError, zipfile.BadZipFile, OSError):
        return {}
    if b"number-columns-spanned" not in data and b"number-rows-spanned" not in data:
        return {}
    out: dict[str, list[Range]] = {}
    sheet: list[Range] = []
    row = col = 0
    try:
        for event, elem in iterparse(io.BytesIO(data), events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == f"{_T}table":
                    sheet = out.setdefault(elem.get(f"{_T}name", ""), [])
                    row = 0
                elif tag == f"{_T}table-row":
                    col = 0
                elif tag in (f"{_T}table-cell", f"{_T}covered-table-cell"):
                    cs = int(elem.get(f"{_T}number-columns-spanned", "1"))
                    rs = int(elem.get(f"{_T}number-rows-spanned", "1"))
                    if cs > 1 or rs > 1:
                        sheet.append((row, col, row + rs - 1, col + cs - 1))
                    col += int(elem.get(f"{_T}number-columns-repeated", "1"))
            elif tag == f"{_T}table-row":
                row += int(elem.get(f"{_T}number-rows-repeated", "1"))
                elem.clear()
    except (ParseError, ValueError):
        return {}
    return {name: ranges for name, ranges in out.items() if ranges}


_ROW_REF = re.compile(rb'<row [^>]*?r="(\d+)"[^>]*?(?<!/)>')  # <row r="12">, not <row …/>
_WIDE_REF = re.compile(rb' r="([A-Z]{2,3})\d')  # <c r="AB12">: beyond column Z


#: the sheet XML is scanned in pieces this size: small enough that both patterns run over
#: data still in the CPU cache, large enough that the per-piece cost does not count
_CHUNK = 1 << 18
#: a tag cut at the end of a piece is carried into the next one whole when it is shorter
#: than this (a <row> with every optional attribute is about 150 bytes)
_CARRY = 4096


def xlsx_extents(content: bytes) -> list[tuple[int, int]]:
    """(last row, last column) that the cell references of each worksheet of an .xlsx
    reach — what calamine will allocate — found by a streamed scan of the sheet XML
    (about a quarter of calamine's own time); [] for other files."""
    out: list[tuple[int, int]] = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for info in archive.infolist():
            name = info.filename
            if not (name.startswith("xl/worksheets/") and name.endswith(".xml")):
                continue
            extent = [0, 26]
            tail = b""
            with archive.open(info) as xml:
                while chunk := xml.read(_CHUNK):
                    data = tail + chunk
                    # scan up to the last tag start; the tag from there on is carried
                    cut = data.rfind(b"<", max(len(data) - _CARRY, 1))
                    if cut < 0:
                        cut = len(data)
                    _scan_extent(data, cut, extent)
                    tail = data[cut:] if cut < len(data) else data[-64:]
            _scan_extent(tail, len(tail), extent)
            out.append((extent[0], extent[1]))
    return out


def _scan_extent(data: bytes, end: int, extent: list[int]) -> None:
    """Raise ``extent`` ([last row, last column]) to the references in ``data[:end]``."""
    if rows := _ROW_REF.findall(data, 0, end):
        extent[0] = max(extent[0], *map(int, rows))
    for letters in set(_WIDE_REF.findall(data, 0, end)):
        extent[1] = max(extent[1], _column_number(letters))


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def looks_like_text(content: bytes) -> bool:
    """No NUL bytes at the start (UTF-16 with a BOM excepted): text, not a binary book."""
    head = content[:4096]
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" not in head


def looks_like_html(text: str) -> bool:
    head = text[:4096].lstrip().lower()
    return head.startswith("<") and "<table" in text[: 1 << 20].lower()


class _Tables(HTMLParser):
    """Rows of the <tr> elements (cells' text), with colspan/rowspan as merged ranges
    and the cells they cover left empty, as a spreadsheet has them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str | None]] = []
        self.merged: list[Range] = []
        self.taken: set[tuple[int, int]] = set()  # covered by a rowspan from above
        self.cell: list[str] | None = None
        self.span = (1, 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            if not self.rows:
                self.rows.append([])
            self._close_cell()
            found = dict(attrs)
            self.span = (_span(found.get("rowspan")), _span(found.get("colspan")))
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self._close_cell()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def _close_cell(self) -> None:
        if self.cell is None:
            return
        text = "\n".join(
            re.sub(r"[ \t\r\n\xa0]+", " ", part).strip() for part in "".join(self.cell).split("\n")
        )
        self.cell = None
        r = len(self.rows) - 1
        row = self.rows[r]
        c = len(row)
        while (r, c) in self.taken:
            row.append(None)
            c += 1
        rs, cs = self.span
        row.append(text.strip() or None)
        row.extend([None] * (cs - 1))
        if rs > 1 or cs > 1:
            self.merged.append((r, c, r + rs - 1, c + cs - 1))
            self.taken.update((rr, cc) for rr in range(r + 1, r + rs) for cc in range(c, c + cs))


def _span(value: str | None) -> int:
    try:
        return max(1, min(int(value or "1"), 1000))
    except ValueError:
        return 1


def html_table(text: str) -> tuple[list[list[str | None]], list[Range]]:
    """The rows and merged ranges of the HTML tables in ``text``."""
    parser = _Tables()
    parser.feed(text)
    parser.close()
    parser._close_cell()
    return parser.rows, parser.merged
