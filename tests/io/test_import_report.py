"""The annotated error report and the analysis helpers, without a database."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

import openpyxl

from qiao.errors import ErrorDetail
from qiao.io import readers
from qiao.io.import_plan import ERRORS_HEADER, Plan, row_of


def plan(errors: dict[int, list[ErrorDetail]]) -> Plan:
    table = readers.Table(
        columns=["公司名称", "电话", "签约日期"],
        rows=[
            ["华信", "13800138000", date(2024, 3, 5)],
            ["=cmd|' /C calc'!A0", "138001380", "2024-02-30"],
            ["恒泰", None, 45356],
        ],
        row_numbers=[2, 3, 5],
    )
    return Plan(
        table=table,
        mapping={0: "company", 1: "phone", 2: "signed"},
        datas=[{}, {}, {}],
        notes={},
        errors=errors,
        matches={},
        actions=["create", "error", "error"],
        targets={},
        added_options={},
    )


def read(content: bytes) -> openpyxl.worksheet.worksheet.Worksheet:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_report_marks_the_bad_cells_of_the_rows_with_errors() -> None:
    from qiao.io import import_report

    errors = {
        1: [
            ErrorDetail("phone", "phone_invalid", {"value": "138001380"}),
            ErrorDetail("signed", "date_unparsed", {"value": "2024-02-30"}),
        ],
        2: [ErrorDetail("phone", "required", {"label": "电话"})],
    }
    sheet = read(import_report.build(plan(errors), "zh-CN"))
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == [ERRORS_HEADER, "公司名称", "电话", "签约日期"]
    assert len(rows) == 3
    first = rows[1]
    assert first[1].value == "=cmd|' /C calc'!A0"  # text, never a formula
    assert first[1].data_type == "s"
    assert first[2].comment is not None and "138001380" in first[2].comment.text
    assert first[2].fill.fgColor.rgb.endswith("FFC7CE")
    assert first[3].comment is not None
    assert first[1].comment is None and not first[1].fill.fgColor.rgb.endswith("FFC7CE")
    assert first[0].value.startswith("电话：") and "签约日期：" in first[0].value
    second = rows[2]
    assert second[2].value is None and second[2].fill.fgColor.rgb.endswith("FFC7CE")
    assert second[3].value == 45356  # a number stays a number


def test_report_of_all_rows_in_english_keeps_dates_as_dates() -> None:
    from qiao.io import import_report

    errors = {1: [ErrorDetail("phone", "phone_invalid", {"value": "138001380"})]}
    sheet = read(import_report.build(plan(errors), "en", all_rows=True))
    rows = list(sheet.iter_rows())
    assert len(rows) == 4
    assert rows[1][3].is_date and rows[1][3].value.date() == date(2024, 3, 5)
    assert rows[2][0].value.startswith("电话: ")
    assert rows[1][0].value is None


def test_row_of_reads_the_row_index_of_an_error_path() -> None:
    assert row_of("rows[17].phone") == 17
    assert row_of("rows[3].lines[2].qty") == 3
    assert row_of("phone") is None
    assert row_of("rows[x].phone") is None


def test_added_options_validate_before_they_exist() -> None:
    from qiao.forms.fields._choices import ChoiceSettings
    from qiao.forms.model import FieldMeta
    from qiao.io.import_plan import options_to_add

    settings = ChoiceSettings.model_validate({"choices": [{"id": "o1", "label": "A类"}]})
    fm = FieldMeta(1, 1, "level", "等级", "select", settings, "c1")
    form = SimpleNamespace(by_key={"level": fm})
    option_map = {"level": {"VIP": "__add__", "D类": "A类", "A类": "__add__", "x": None}}
    assert options_to_add(form, option_map) == {"level": ["VIP"]}  # type: ignore[arg-type]
