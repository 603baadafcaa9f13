"""Real spreadsheet files for the import/export tests: written by openpyxl, xlsxwriter and
LibreOffice, CSV in several encodings, and a generator of a messy Chinese customer sheet
with the truth about it (bad rows, duplicates), so tests can assert exactly.

Use from any test module in tests/io: ``from tests.io.sheets import messy_customers``.
"""

from __future__ import annotations

import csv
import io
import os
import random
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

Rows = Sequence[Any]  # rows of cells (lists or tuples)


# ----- writers -------------------------------------------------------------------------------
def xlsx_openpyxl(
    rows: Rows,
    *,
    merged: Sequence[str] = (),
    sheet_name: str = "Sheet1",
    more_sheets: dict[str, Rows] | None = None,
    number_formats: dict[str, str] | None = None,
) -> bytes:
    """An .xlsx written by openpyxl; ``merged`` are ranges like "A1:D1" (the value stays in
    the top-left cell, as Excel keeps it); ``number_formats`` maps a cell ("C3") to a
    format such as "yyyy-mm-dd"."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = sheet_name
    for row in rows:
        sheet.append(list(row))
    for ref in merged:
        sheet.merge_cells(ref)
    for ref, fmt in (number_formats or {}).items():
        sheet[ref].number_format = fmt
    for name, more in (more_sheets or {}).items():
        extra = book.create_sheet(name)
        for row in more:
            extra.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_xlsxwriter(
    rows: Rows,
    *,
    date_cells: Sequence[tuple[int, int]] = (),
    sheet_name: str = "Sheet1",
    merged: Sequence[tuple[int, int, int, int]] = (),
) -> bytes:
    """An .xlsx written by xlsxwriter (constant memory, as big exports are written).
    ``date_cells`` are (row, col) positions, 0-based, whose value — a date, datetime or an
    Excel serial number — is written as a number with a date format, the way Excel stores
    dates. ``merged`` are (row0, col0, row1, col1) ranges (the top-left value is kept)."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet(sheet_name)
    fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    fmt_dt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    dates = set(date_cells)
    merged_cells = {(r0, c0): rng for rng in merged for r0, c0 in [rng[:2]]}
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if (r, c) in merged_cells:
                r0, c0, r1, c1 = merged_cells[(r, c)]
                sheet.merge_range(r0, c0, r1, c1, value)
            elif (r, c) in dates and isinstance(value, datetime):
                sheet.write_datetime(r, c, value, fmt_dt)
            elif (r, c) in dates and isinstance(value, date):
                sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), fmt)
            elif (r, c) in dates:
                sheet.write_number(r, c, value, fmt)
            elif value is None:
                continue
            else:
                sheet.write(r, c, value)
    book.close()
    return out.getvalue()


def csv_bytes(rows: Rows, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    """A CSV as Excel saves one: ``gbk`` (Chinese Windows), ``utf-8-sig`` (with a BOM) or
    ``utf-8``; CRLF line ends."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def soffice() -> str:
    """The LibreOffice binary, or skip the test."""
    binary = shutil.which("soffice") or shutil.which("libreoffice")
    if not binary:
        pytest.skip("LibreOffice (soffice) is not installed")
    return binary


def via_libreoffice(path: Path | str, to: str = "xls") -> bytes:
    """Convert a file with LibreOffice (headless, its own profile so parallel test workers
    do not clash) and return the converted bytes; ``to`` is "xls", "xlsx" or "ods". A CSV
    source is read as comma-separated UTF-8."""
    binary = soffice()
    source = Path(path)
    with tempfile.TemporaryDirectory(prefix="lo-out-") as outdir:
        profile = Path(tempfile.gettempdir()) / f"lo-{os.getpid()}"
        command = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            *(["--infilter=CSV:44,34,76,1"] if source.suffix.lower() == ".csv" else []),
            "--convert-to",
            to,
            "--outdir",
            outdir,
            str(source),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=180)
        converted = Path(outdir) / f"{source.stem}.{to}"
        if not converted.exists():
            raise RuntimeError(f"LibreOffice did not write {converted.name}")
        return converted.read_bytes()


# ----- a messy customer sheet ------------------------------------------------------------------
HEADERS = [
    "公司名称",
    "联系人",
    "电话",
    "邮箱",
    "签约日期",
    "金额",
    "省份",
    "城市",
    "客户等级",
    "标签",
]
LEVELS = ["A类", "B类", "C类"]
UNKNOWN_LEVELS = ["VIP", "D类"]
TAGS = ["重点", "老客户", "待跟进", "已回款"]
#: province / city, each spelled three ways (official, short, with a stray space)
PLACES = [
    (("广东省", "广东", " 广东省 "), ("深圳市", "深圳", "深圳 市")),
    (("浙江省", "浙江", "浙江 省"), ("杭州市", "杭州", " 杭州市")),
    (("北京市", "北京", "北京 "), ("北京市", "北京", " 北京市")),
    (("四川省", "四川", " 四川"), ("成都市", "成都", "成都 市")),
    (("江苏省", "江苏", "江苏省 "), ("南京市", "南京", " 南京")),
]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
_WORDS = "华信达通恒泰瑞丰鼎盛天宇中和鑫源博远安康嘉禾新锐宏图"
_TRADES = ["科技", "贸易", "电子", "网络", "实业", "物流", "信息技术", "建材"]
_SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司", "(有限公司)", "集团有限公司"]


@dataclass
class MessyTruth:
    """What a correct import makes of the sheet: for data row i (0-based, in file order)
    ``bad[i]`` names the columns with a value that cannot be cleaned, ``duplicate_of[i]``
    is the earlier row it duplicates (same company after normalisation and same phone),
    ``clean[i]`` holds the expected cleaned values of the good rows (公司名称 without its
    有限公司-style suffix: its company key equals the cell's) and ``unknown_levels[i]``
    the 客户等级 values that are not one of LEVELS."""

    bad: dict[int, list[str]] = field(default_factory=dict)
    duplicate_of: dict[int, int] = field(default_factory=dict)
    clean: dict[int, dict[str, Any]] = field(default_factory=dict)
    unknown_levels: dict[int, str] = field(default_factory=dict)


@dataclass
class Messy:
    headers: list[str]
    rows: list[list[Any]]
    truth: MessyTruth
    #: (row index, column index) of cells holding an Excel serial date (to be written
    #: with a date format by xlsx_xlsxwriter's ``date_cells``; positions are 0-based in
    #: the sheet, the header being row 0)
    serial_cells: list[tuple[int, int]] = field(default_factory=list)

    def sheet(self) -> list[list[Any]]:
        return [list(self.headers), *self.rows]


def _excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def _phone_forms(phone: str, rng: random.Random) -> str:
    """One of five spellings of a mobile ("13800138000") or landline ("010-12345678")."""
    if "-" in phone:
        area, local = phone.split("-")
        return rng.choice(
            [f"({area}){local}", phone, f"{area} {local[:4]} {local[4:]}", f"（{area}）{local}"]
        )
    forms = [
        f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
        f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        phone,
        f"86{phone}",
        f" {phone[:3]} {phone[3:7]} {phone[7:]} ",
    ]
    return rng.choice(forms)


def _date_forms(day: date, rng: random.Random) -> tuple[Any, bool]:
    """(cell value, is an Excel serial)."""
    choice = rng.randrange(6)
    if choice == 0:
        return day.isoformat(), False
    if choice == 1:
        return f"{day.year}/{day.month}/{day.day}", False
    if choice == 2:
        return f"{day.year}年{day.month}月{day.day}日", False
    if choice == 3:
        return day.strftime("%Y%m%d"), False
    if choice == 4:
        return f"{day.year}.{day.month}.{day.day}", False
    return _excel_serial(day), True


def _amount_forms(amount: Decimal, rng: random.Random) -> str | int | float:
    cents = int(amount * 100)
    choice = rng.randrange(5)
    if choice == 0:
        return f"¥{amount:,.2f}"
    if choice == 1:
        return f"{amount:,.2f}"
    if choice == 2 and cents % 100000 == 0:
        return f"{cents // 1000000}.{cents // 100000 % 10}万"
    if choice == 3:
        return float(amount)
    return f"{amount:.2f}"


def _company(rng: random.Random, used: set[str]) -> str:
    while True:
        letters = "".join(rng.choice("ABCDEFGHJKLMNPRSTWXYZ") for _ in range(rng.randrange(2, 4)))
        prefix = letters if rng.random() < 0.3 else ""
        name = prefix + "".join(rng.choice(_WORDS) for _ in range(2)) + rng.choice(_TRADES)
        if name not in used:
            used.add(name)
            return name


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


def messy_customers(
    n: int, bad_ratio: float = 0.05, dup_ratio: float = 0.10, seed: int = 6
) -> Messy:
    """``n`` customer rows as salespeople type them. About ``bad_ratio`` of the rows hold
    one value no cleanser can fix (a 9-digit phone, an impossible date, "面议" as an
    amount, an e-mail without @), and about ``dup_ratio`` repeat an earlier good row's
    company (spelled differently: another 有限公司 suffix, full-width letters, spaces) and
    phone (in another format). Bad rows are never duplicates and never duplicated."""
    rng = random.Random(seed)
    rows: list[list[Any]] = []
    truth = MessyTruth()
    serial_cells: list[tuple[int, int]] = []
    used: set[str] = set()
    originals: list[int] = []
    n_bad = round(n * bad_ratio)
    n_dup = round(n * dup_ratio)
    kinds = ["ok"] * (n - n_bad - n_dup) + ["bad"] * n_bad + ["dup"] * n_dup
    # the first rows are plain so that duplicates always have an earlier row to repeat
    head, tail = kinds[:5], kinds[5:]
    head = ["ok"] * len(head)
    tail = tail + [k for k in kinds[:5] if k != "ok"]
    rng.shuffle(tail)
    kinds = head + tail
    for i, kind in enumerate(kinds):
        if kind == "dup" and originals:
            src = rng.choice(originals)
            base = truth.clean[src]
            row = _spell(base, rng)
            truth.duplicate_of[i] = src
            truth.clean[i] = dict(base)
        else:
            base = _customer(rng, used)
            row = _spell(base, rng)
            if kind == "bad":
                column = rng.choice(["电话", "签约日期", "金额", "邮箱"])
                row[HEADERS.index(column)] = {
                    "电话": "138001380",
                    "签约日期": "2024-02-30",
                    "金额": "面议",
                    "邮箱": "zhang.example.com",
                }[column]
                truth.bad[i] = [column]
            else:
                truth.clean[i] = base
                originals.append(i)
        if isinstance(row[4], int):
            serial_cells.append((i + 1, 4))
        if i in truth.clean and truth.clean[i]["客户等级"] in UNKNOWN_LEVELS:
            truth.unknown_levels[i] = truth.clean[i]["客户等级"]
        rows.append(row)
    return Messy(list(HEADERS), rows, truth, serial_cells)


def _customer(rng: random.Random, used: set[str]) -> dict[str, Any]:
    """The clean values of a new customer (what a correct import stores)."""
    place = rng.randrange(len(PLACES))
    if rng.random() < 0.1:
        area = rng.choice(["010", "021", "0755", "028"])
        phone = f"{area}-{rng.randrange(2, 10)}{rng.randrange(10**6, 10**7)}"
    else:
        phone = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    cents = rng.randrange(1, 500) * 100000 if rng.random() < 0.2 else rng.randrange(100, 10**8)
    return {
        "公司名称": _company(rng, used),
        "联系人": rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(2)),
        "电话": phone,
        "邮箱": f"user{rng.randrange(10**6)}@example.com",
        "签约日期": date.fromordinal(date(2020, 1, 1).toordinal() + rng.randrange(1800)),
        "金额": Decimal(cents) / 100,
        "省份": PLACES[place][0][0],
        "城市": PLACES[place][1][0],
        "客户等级": rng.choice(UNKNOWN_LEVELS) if rng.random() < 0.03 else rng.choice(LEVELS),
        "标签": rng.sample(TAGS, rng.randrange(0, 3)),
    }


def _spell(base: dict[str, Any], rng: random.Random) -> list[Any]:
    """One messy spelling of a clean customer."""
    company = base["公司名称"]
    suffix = rng.choice(_SUFFIXES)
    name = company + suffix
    if rng.random() < 0.2:
        name = _fullwidth(name.replace("(", "").replace(")", "")) + " "
    if rng.random() < 0.2:
        name = " " + name.replace("有限", "有限 ", 1)
    date_cell, _ = _date_forms(base["签约日期"], rng)
    place = next(p for p in PLACES if p[0][0] == base["省份"])
    return [
        name,
        base["联系人"],
        _phone_forms(base["电话"], rng),
        base["邮箱"].upper() if rng.random() < 0.1 else base["邮箱"],
        date_cell,
        _amount_forms(base["金额"], rng),
        rng.choice(place[0]),
        rng.choice(place[1]),
        base["客户等级"],
        "、".join(base["标签"]),
    ]
