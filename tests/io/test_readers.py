"""Reading real spreadsheet files: written by openpyxl, xlsxwriter and LibreOffice, CSV in
GBK and UTF-8 with a BOM, with title rows, merged headers and Excel serial dates."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from qiao.errors import BadRequest
from qiao.i18n import translate
from qiao.io import readers
from qiao.io.readers import Sheet, cell_text, detect_header, read_workbook, to_table
from tests.io.sheets import (
    csv_bytes,
    messy_customers,
    via_libreoffice,
    xlsx_openpyxl,
    xlsx_xlsxwriter,
)

CUSTOMERS = [
    ["公司名称", "电话", "签约日期", "金额"],
    ["华信科技有限公司", "13800138000", date(2024, 3, 5), 1234.5],
    ["恒泰贸易", "010-12345678", date(2023, 12, 31), 12],
]


def _table(content: bytes, filename: str) -> readers.Table:
    sheet = read_workbook(content, filename)[0]
    return to_table(sheet, detect_header(sheet))


def test_xlsx_by_openpyxl_keeps_dates_and_numbers() -> None:
    table = _table(xlsx_openpyxl(CUSTOMERS), "客户.xlsx")
    assert table.columns == ["公司名称", "电话", "签约日期", "金额"]
    assert table.rows[0] == ["华信科技有限公司", "13800138000", date(2024, 3, 5), 1234.5]
    assert table.rows[1][3] == 12 and isinstance(table.rows[1][3], int)
    assert table.row_numbers == [2, 3]


def test_xlsx_by_xlsxwriter_with_serial_dates() -> None:
    rows = [["名称", "日期", "序号"], ["甲", 45356, 45356], ["乙", datetime(2024, 3, 5, 9, 30), 7]]
    content = xlsx_xlsxwriter(rows, date_cells=[(1, 1), (2, 1)])
    table = _table(content, "a.xlsx")
    # a serial with a date format is a date; the same serial without one stays a number
    assert table.rows[0] == ["甲", date(2024, 3, 5), 45356]
    assert table.rows[1] == ["乙", datetime(2024, 3, 5, 9, 30), 7]
    assert [cell_text(c) for c in table.rows[1]] == ["乙", "2024-03-05 09:30:00", "7"]


def test_title_rows_blank_rows_and_merged_group_header() -> None:
    rows = [
        [],
        [None, "2024年客户名单"],
        [],
        [None, "基本信息", None, "联系方式", None, "备注"],
        [None, "名称", "城市", "电话", "邮箱", None],
        [None, "华信", "深圳", "13800138000", "a@example.com", "老客户"],
        [None, None, None, None, None, None],
        [None, "恒泰", "杭州", "13900139000", None, None],
        [None, None, "杭州 ", "13700137000", None, None],
    ]
    content = xlsx_openpyxl(rows, merged=["B2:F2", "B4:C4", "D4:E4", "F4:F5", "B8:B9"])
    sheet = read_workbook(content, "list.xlsx")[0]
    assert (1, 1, 1, 5) in sheet.merged
    header = detect_header(sheet)
    assert header == 4  # the row with 名称 / 城市 / 电话 / 邮箱
    table = to_table(sheet, header)
    assert table.columns == [
        "基本信息-名称",
        "基本信息-城市",
        "联系方式-电话",
        "联系方式-邮箱",
        "备注",
    ]
    # the blank row is dropped, the vertically merged 恒泰 is filled downward
    assert table.row_numbers == [6, 8, 9]
    assert [r[0] for r in table.rows] == ["华信", "恒泰", "恒泰"]
    assert all(len(r) == 5 for r in table.rows)


def test_blank_and_duplicate_headers() -> None:
    rows = [["电话", None, "电话", " 电话 ", "备\n注"], ["1", "x", "2", "3", "4", "extra"]]
    table = _table(xlsx_openpyxl(rows), "d.xlsx")
    assert table.columns == ["电话", "列2", "电话 (2)", "电话 (3)", "备注", "列6"]
    assert table.rows == [["1", "x", "2", "3", "4", "extra"]]


def test_gbk_csv() -> None:
    content = csv_bytes([["公司名称", "电话"], ["华信科技有限公司", "013800138000"]], "gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    table = _table(content, "客户.csv")
    assert table.columns == ["公司名称", "电话"]
    assert table.rows == [["华信科技有限公司", "013800138000"]]  # leading zero kept


def test_utf8_bom_csv_with_semicolons_and_tabs() -> None:
    rows = [["名称", "城市", "备注"], ["华信", "深圳", "a, b"], ["恒泰", "", "c"]]
    for delimiter in (";", "\t", ","):
        content = csv_bytes(rows, "utf-8-sig", delimiter=delimiter)
        table = _table(content, "x.txt" if delimiter == "\t" else "x.csv")
        assert table.columns == ["名称", "城市", "备注"], delimiter
        assert table.rows == [["华信", "深圳", "a, b"], ["恒泰", None, "c"]], delimiter


def test_decode_text_variants() -> None:
    text = "名称,电话\n华信,1\n"
    assert readers.decode_text(text.encode("utf-8")) == text
    assert readers.decode_text(text.encode("utf-8-sig")) == text
    assert readers.decode_text(text.encode("gb18030")) == text
    assert readers.decode_text(text.encode("utf-16")) == text


@pytest.mark.parametrize("fmt", ["xls", "xlsx", "ods"])
def test_files_written_by_libreoffice(tmp_path: Path, fmt: str) -> None:
    source = tmp_path / "customers.csv"
    messy = messy_customers(30, seed=3)
    source.write_bytes(csv_bytes(messy.sheet(), "utf-8"))
    content = via_libreoffice(source, to=fmt)
    table = _table(content, f"customers.{fmt}")
    assert table.columns == messy.headers
    assert len(table.rows) == 30
    assert table.row_numbers[0] == 2
    assert table.rows[0][1] == messy.rows[0][1]  # the contact's name


@pytest.mark.parametrize("fmt", ["xls", "xlsx"])
def test_merged_title_and_dates_from_libreoffice(tmp_path: Path, fmt: str) -> None:
    rows = [
        ["2024年客户名单", None, None],
        ["名称", "签约日期", "电话"],
        ["华信", 45356, "13800138000"],
        ["恒泰", date(2023, 12, 31), "010-12345678"],
    ]
    source = tmp_path / "source.xlsx"
    source.write_bytes(xlsx_xlsxwriter(rows, date_cells=[(2, 1), (3, 1)], merged=[(0, 0, 0, 2)]))
    sheet = read_workbook(via_libreoffice(source, to=fmt), f"t.{fmt}")[0]
    assert sheet.merged == [(0, 0, 0, 2)]
    assert detect_header(sheet) == 1
    table = to_table(sheet, 1)
    assert table.columns == ["名称", "签约日期", "电话"]
    assert table.rows == [
        ["华信", date(2024, 3, 5), "13800138000"],
        ["恒泰", date(2023, 12, 31), "010-12345678"],
    ]
    assert table.row_numbers == [3, 4]


def test_hidden_sheets_left_out_and_several_sheets_kept() -> None:
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    first.append(["a"])
    first.append(["1"])
    second = book.create_sheet("第二页")
    second.append(["b"])
    second.append(["2"])
    hidden = book.create_sheet("选项")
    hidden.append(["x"])
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    sheets = read_workbook(out.getvalue(), "b.xlsx")
    assert [s.name for s in sheets] == ["Sheet", "第二页"]


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"hello", "a.pdf", "import_file_type"),
        (b"PK\x03\x04broken", "a.xlsx", "import_file_unreadable"),
        (b"\xd0\xcf\x11\xe0garbage", "a.xls", "import_file_unreadable"),
        (b"", "a.csv", "import_file_empty"),
        (b"\r\n,,\r\n", "a.csv", "import_file_empty"),
    ],
)
def test_errors(content: bytes, name: str, code: str) -> None:
    with pytest.raises(BadRequest) as info:
        read_workbook(content, name)
    assert info.value.code == code
    assert info.value.params == {"name": name}
    for locale in ("zh-CN", "en"):
        assert name in translate(code, locale, info.value.params)


def test_empty_workbook_and_zip_bomb_refused() -> None:
    with pytest.raises(BadRequest) as info:
        read_workbook(xlsx_openpyxl([]), "empty.xlsx")
    assert info.value.code == "import_file_empty"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (300 << 20))
    assert len(bomb.getvalue()) < 1 << 20
    with pytest.raises(BadRequest) as info:
        read_workbook(bomb.getvalue(), "bomb.xlsx")
    assert info.value.code == "import_file_too_large"


def test_sparse_sheet_reaching_the_last_cell_is_refused() -> None:
    """Two cells, A1 and XFD1048576: a 5 kB file calamine would allocate 500 GB for
    (aborting the worker) is refused before it is read."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "名称"
    sheet["XFD1048576"] = "x"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(BadRequest) as info:
        read_workbook(out.getvalue(), "sparse.xlsx")
    assert info.value.code == "import_file_too_large"
    # a sheet reaching row 200,000 in column B is fine
    table = _table(xlsx_xlsxwriter([["名称"], *[[None]] * 199998, [None, "y"]]), "fine.xlsx")
    assert table.columns == ["名称", "列2"] and table.row_numbers == [200000]


def test_header_is_first_text_row_not_a_note() -> None:
    sheet = Sheet(
        "s",
        [
            ["制表人：张三", None, None, None],
            [None, None, None, None],
            ["名称", "数量", "单价", "日期"],
            ["螺丝", 10, 1.5, date(2024, 1, 2)],
        ],
        [],
    )
    assert detect_header(sheet) == 2
    # a sheet of numbers only: the first row is the header
    assert detect_header(Sheet("n", [[1, 2], [3, 4]], [])) == 0


def test_cell_text_and_preview() -> None:
    assert cell_text(12.0) == "12"
    assert cell_text(0.1) == "0.1"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(1234.56) == "1234.56"
    assert cell_text(True) == "TRUE"
    assert cell_text(datetime(2024, 3, 5)) == "2024-03-05"
    assert cell_text(None) == ""
    sheet = Sheet("s", [["a"], ["b", 2.0, None]], [])
    assert readers.sheet_preview(sheet) == [["a", "", ""], ["b", "2", ""]]
    assert readers.sheet_preview(sheet, limit=1) == [["a"]]


def test_messy_sheet_survives_xlsx_round_trip() -> None:
    messy = messy_customers(200, seed=11)
    content = xlsx_xlsxwriter(messy.sheet(), date_cells=messy.serial_cells)
    table = _table(content, "messy.xlsx")
    assert table.columns == messy.headers
    assert len(table.rows) == 200
    column = messy.headers.index("签约日期")
    for r, _ in messy.serial_cells:
        assert table.rows[r - 1][column] == messy.truth.clean.get(r - 1, {}).get(
            "签约日期", table.rows[r - 1][column]
        )
        assert isinstance(table.rows[r - 1][column], date)
    assert len(messy.truth.bad) == 10 and len(messy.truth.duplicate_of) == 20


def test_ods_from_libreoffice_keeps_merged_cells(tmp_path: Path) -> None:
    rows = [
        ["2024年客户名单", None, None],
        ["基本信息", None, "联系方式"],
        ["名称", "城市", "电话"],
        ["华信", "深圳", "13800138000"],
        [None, "杭州", "13900139000"],
    ]
    source = tmp_path / "source.xlsx"
    source.write_bytes(xlsx_openpyxl(rows, merged=["A1:C1", "A2:B2", "A4:A5"]))
    sheet = read_workbook(via_libreoffice(source, to="ods"), "t.ods")[0]
    assert sorted(sheet.merged) == [(0, 0, 0, 2), (1, 0, 1, 1), (3, 0, 4, 0)]
    assert detect_header(sheet) == 2
    table = to_table(sheet, 2)
    assert table.columns == ["基本信息-名称", "基本信息-城市", "电话"]  # 联系方式: not merged
    assert table.rows == [["华信", "深圳", "13800138000"], ["华信", "杭州", "13900139000"]]


def test_html_and_text_saved_as_xls() -> None:
    """Many systems export an HTML table or tab-separated text under an .xls name."""
    html = (
        "<html><head><meta charset='gbk'></head><body><table>"
        "<tr><td colspan=3>客户导出</td></tr>"
        "<tr><th>名称</th><th>电话</th><th>城市</th></tr>"
        "<tr><td rowspan=2>华信&amp;恒泰</td><td>138 0013 8000</td><td>深圳</td></tr>"
        "<tr><td>13900139000</td><td>杭州</td></tr>"
        "</table></body></html>"
    ).encode("gbk")
    sheet = read_workbook(html, "export.xls")[0]
    assert sheet.merged == [(0, 0, 0, 2), (2, 0, 3, 0)]
    assert detect_header(sheet) == 1
    table = to_table(sheet, 1)
    assert table.columns == ["名称", "电话", "城市"]
    assert table.rows == [
        ["华信&恒泰", "138 0013 8000", "深圳"],
        ["华信&恒泰", "13900139000", "杭州"],
    ]
    tsv = csv_bytes([["名称", "电话"], ["华信", "13800138000"]], "gbk", delimiter="\t")
    assert _table(tsv, "export.xls").rows == [["华信", "13800138000"]]


def test_to_table_leaves_the_sheet_alone_and_fills_merged_cells_in_copies() -> None:
    """``to_table`` copies a row only to change it (merged cells filled, padding): the
    (cached) sheet keeps its rows, so another header row gives the same table as a fresh
    read would."""
    rows: list[list[readers.Cell]] = [
        ["名称", "城市", "电话"],
        ["华信", "深圳", None],
        [None, "杭州"],
        ["  "],
        [None, None, "13800138000"],
    ]
    before = [list(r) for r in rows]
    sheet = Sheet("s", rows, [(1, 0, 2, 0), (3, 2, 4, 2)])
    table = to_table(sheet, 0)
    assert sheet.rows == before
    assert table.rows == [
        ["华信", "深圳", None],
        ["华信", "杭州", None],
        [None, None, "13800138000"],
    ]
    assert table.row_numbers == [2, 3, 5]
    assert table.rows[0] is not sheet.rows[1]  # filled from the merge: a copy
    again = to_table(sheet, 1)  # another header row of the same sheet, inside the A2:A3 merge
    assert again.columns == ["华信", "深圳", "列3"]
    assert again.rows == [[None, "杭州", None], [None, None, "13800138000"]]  # 华信 merge: header
    assert sheet.rows == before


def test_to_table_cuts_empty_columns_on_the_left_and_pads() -> None:
    sheet = Sheet("s", [[None, "a", "b"], [None, "1"], [None, None, None, "x"]], [])
    table = to_table(sheet, 0)
    assert table.columns == ["a", "b", "列4"]
    assert table.rows == [["1", None, None], [None, None, "x"]]
    full = Sheet("s", [["a", "b"], ["1", "2"], ["3"]], [])
    table = to_table(full, 0)
    assert table.rows == [["1", "2"], ["3", None]]
    assert table.rows[0] is full.rows[1]  # already in shape: the sheet's own row
    assert full.rows[2] == ["3"]  # padded in a copy


def test_extents_find_a_long_row_tag_cut_between_pieces() -> None:
    """The sheet XML is scanned in pieces; a <row> tag cut at a piece's end (long
    optional attributes) is carried whole into the next piece and still counted."""
    from qiao.io import sheet_formats

    long_attrs = " ".join(f'x{i}="{i}"' for i in range(40))
    row = f'<row r="1048576" {long_attrs}><c r="XFD1048576"><v>1</v></c></row>'.encode()
    for pad in (0, 1, 50, 100, 200, 300):
        body = b"<sheetData>" + b" " * (sheet_formats._CHUNK - 11 - pad) + row + b"</sheetData>"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + body + b"</worksheet>")
        assert sheet_formats.xlsx_extents(out.getvalue()) == [(1048576, 16384)], pad
