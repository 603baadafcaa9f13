"""The import template of a form, opened back with openpyxl and read by our own reader."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook

from qiao.context import Ctx
from qiao.io import readers
from qiao.io.templates import SAMPLES, import_template
from qiao.runtime import Runtime
from tests.conftest import Api

LEVELS = ["A类", "B类", "C类"]
CITIES = [f"城市名称很长的第{i}个选项" for i in range(40)]  # > 255 characters in all

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text", "required": True},
    {"key": "phone", "label": "电话", "type": "phone", "required": True},
    {"key": "level", "label": "客户等级", "type": "select", "settings": {"choices": LEVELS}},
    {"key": "city", "label": "城市", "type": "select", "settings": {"choices": CITIES}},
    {
        "key": "tags",
        "label": "标签",
        "type": "multiselect",
        "settings": {"choices": ["重点", "老客户"]},
    },
    {"key": "signed", "label": "签约日期", "type": "date"},
    {"key": "visited", "label": "最近拜访", "type": "datetime"},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "n", "label": "数量", "type": "number"},
    {"key": "vip", "label": "重点客户", "type": "boolean"},
    {"key": "idno", "label": "身份证号", "type": "idcard"},
    {"key": "mail", "label": "邮箱", "type": "email"},
    {"key": "fx", "label": "两倍数量", "type": "formula", "settings": {"expression": "n * 2"}},
    {"key": "contract", "label": "合同", "type": "attachment"},
    {
        "key": "lines",
        "label": "明细",
        "type": "subform",
        "settings": {"columns": [{"key": "item", "label": "品名", "type": "text"}]},
    },
]
WRITABLE = ["客户名称", "电话", "客户等级", "城市", "标签", "签约日期", "最近拜访", "金额", "数量",
            "重点客户", "身份证号", "邮箱"]  # fmt: skip


def _template(rt: Runtime, ctx: Ctx, form_id: int, locale: str) -> bytes:
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    return import_template(form, ctx, locale)


@pytest.fixture
def form_id(api: Api) -> int:
    return int(api.make_form(FIELDS)["id"])


def test_template_headers_sample_dropdowns_and_notes(rt: Runtime, ctx: Ctx, form_id: int) -> None:
    content = _template(rt, ctx, form_id, "zh-CN")
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet.title == "客户"
    headers = [c.value for c in sheet[1]]
    # sub-forms, files and computed fields are left out; form order kept
    assert headers == WRITABLE
    assert sheet.freeze_panes == "A2"
    assert all(c.font.bold for c in sheet[1])
    col = {label: i for i, label in enumerate(headers)}
    sample = [c.value for c in sheet[2]]
    assert sample[col["电话"]] == "13800138000"
    assert sample[col["客户等级"]] == "A类"
    assert sample[col["签约日期"]] == datetime(2024, 3, 5)
    assert sample[col["金额"]] == 1234.56
    assert sample[col["标签"]] == "重点、老客户"
    # required headers carry a note
    notes = {c.value: c.comment.text if c.comment else None for c in sheet[1]}
    assert notes["客户名称"] == "必填" and notes["电话"] == "必填"
    assert notes["城市"] is None
    assert "重点" in (notes["标签"] or "")
    assert sheet["A2"].comment is not None and "示例" in sheet["A2"].comment.text
    # dropdowns: a short list inline, a long one on a hidden sheet, yes/no for booleans
    by_column = {
        str(dv.sqref).split(":")[0].rstrip("0123456789"): dv.formula1
        for dv in sheet.data_validations.dataValidation
    }
    letter = "ABCDEFGHIJKLMNOP"
    assert by_column[letter[col["客户等级"]]] == '"A类,B类,C类"'
    assert by_column[letter[col["重点客户"]]] == '"是,否"'
    assert by_column[letter[col["城市"]]] == "'选项'!$A$1:$A$40"
    assert letter[col["标签"]] not in by_column  # several values per cell: no dropdown
    hidden = book["选项"]
    assert hidden.sheet_state == "hidden"
    assert [r[0] for r in hidden.iter_rows(values_only=True)] == CITIES
    # phones and ID numbers are typed as text
    phone = letter[col["电话"]]
    assert sheet[f"{phone}2"].number_format == "@"
    assert sheet.column_dimensions[phone].number_format == "@"


def test_template_in_english_reads_back(rt: Runtime, ctx: Ctx, form_id: int) -> None:
    content = _template(rt, ctx, form_id, "en")
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet["A1"].comment is not None and sheet["A1"].comment.text == "Required"
    assert "Options" in book.sheetnames
    # our own reader takes the template back: one table, the sample row as data
    sheets = readers.read_workbook(content, "template.xlsx")
    assert [s.name for s in sheets] == ["客户"]  # the hidden option sheet is skipped
    table = readers.to_table(sheets[0], readers.detect_header(sheets[0]))
    assert table.columns == WRITABLE
    assert len(table.rows) == 1
    row = dict(zip(table.columns, table.rows[0], strict=True))
    assert row["签约日期"] == date(2024, 3, 5)
    assert row["最近拜访"] == datetime(2024, 3, 5, 9, 30)
    assert row["重点客户"] == "Yes"
    assert row["身份证号"] == "11010519491231002X"


def test_sample_values_are_accepted_by_their_types(rt: Runtime, ctx: Ctx, api: Api) -> None:
    """Every sample is a value the field's own type reads from text, for every type that
    has a sample, after a trip through the .xlsx and our reader."""
    fields = [{"key": f"f_{key}", "label": f"字段{key}", "type": key} for key in SAMPLES]
    form_id = int(api.make_form(fields)["id"])
    content = _template(rt, ctx, form_id, "zh-CN")
    sheet = readers.read_workbook(content, "t.xlsx")[0]
    table = readers.to_table(sheet, 0)
    assert table.columns == [f["label"] for f in fields]
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    by_label = {f.label: f for f in form.live_fields}
    for label, cell in zip(table.columns, table.rows[0], strict=True):
        fm = by_label[label]
        value = fm.ftype.from_text(fm, readers.cell_text(cell), ctx)
        assert value is not None, label


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_sample_row_is_each_field_types_sample(
    rt: Runtime, ctx: Ctx, form_id: int, locale: str
) -> None:
    """The template writes what the field's type offers as a sample, in the template's
    locale (dates come back from the .xlsx as midnight datetimes; no sample, no value)."""
    content = _template(rt, ctx, form_id, locale)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    sample_ctx = Ctx(user=ctx.user, locale=locale, tz=ctx.tz)
    for fm in form.live_fields:
        if fm.label not in cells:
            continue
        expected = fm.ftype.sample_input(fm, sample_ctx)
        if isinstance(expected, date) and not isinstance(expected, datetime):
            expected = datetime(expected.year, expected.month, expected.day)
        assert cells[fm.label] == expected, fm.label
    assert cells["客户等级"] == "A类"  # a select: its first option
    assert cells["重点客户"] == ("是" if locale == "zh-CN" else "Yes")


def test_a_types_own_sample_is_used(
    rt: Runtime, ctx: Ctx, form_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The template asks the type: a type that changes its sample changes the template."""
    from qiao.forms.fields import registry

    monkeypatch.setattr(registry.get("email"), "sample_input", lambda fm, c: "li@example.org")
    sheet = load_workbook(io.BytesIO(_template(rt, ctx, form_id, "zh-CN"))).worksheets[0]
    cells = {h.value: c.value for h, c in zip(sheet[1], sheet[2], strict=True)}
    assert cells["邮箱"] == "li@example.org"


def test_fields_without_a_sample_get_a_blank_cell(rt: Runtime, ctx: Ctx, api: Api) -> None:
    """Members, departments and a select without options have no sample: the column is
    there with an empty sample cell (this used to fail on the column's width)."""
    fields = [
        {"key": "rep", "label": "负责人", "type": "user"},
        {"key": "dept", "label": "部门", "type": "department"},
        {"key": "kind", "label": "类型", "type": "select"},
    ]
    form_id = int(api.make_form(fields)["id"])
    sheet = load_workbook(io.BytesIO(_template(rt, ctx, form_id, "zh-CN"))).worksheets[0]
    assert [c.value for c in sheet[1]] == ["负责人", "部门", "类型"]
    assert all(c.value is None for c in sheet[2])
