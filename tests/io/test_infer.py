"""Field inference from sheet columns: the type a person would pick, with settings the
type accepts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from qiao.forms.fields.base import registry
from qiao.io.infer import propose_fields
from qiao.io.readers import Table


def table(columns: list[str], *cols: list[Any]) -> Table:
    rows = [list(r) for r in zip(*cols, strict=True)]
    return Table(columns=columns, rows=rows, row_numbers=list(range(2, len(rows) + 2)))


def proposed(values: list[Any], header: str = "列") -> tuple[str, dict[str, Any]]:
    field = propose_fields(table([header], values))[0]
    registry.get(field.type).parse_settings(field.settings)  # valid for the type
    return field.type, field.settings


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["11010519491231002X", "44030519900101123X", "320102198512124568"], "idcard"),
        (["13800138000", "+86 139 0013 9000", "010-12345678", "0755 88881234"], "phone"),
        ([13800138000, 13900139000, 13700137000], "phone"),
        (["a@example.com", "B@Example.COM", "c@x.cn"], "email"),
        (["https://a.com", "www.b.cn/x", "http://c.org"], "url"),
        (["2024-03-05", "2024/3/6", "2024年3月7日"], "date"),
        ([datetime(2024, 3, 5), datetime(2024, 3, 6)], "date"),
        (["2024-03-05 14:30", "2024-03-06 09:00"], "datetime"),
        ([datetime(2024, 3, 5, 14, 30), datetime(2024, 3, 6, 9, 0)], "datetime"),
        (["15%", "20.5%", "3%"], "percent"),
        (["¥1,200", "¥300.50", "￥8"], "money"),
        (["1,200", "300.5", "8", 12], "number"),
        (["广东省深圳市南山区科技园", "北京市朝阳区建国路 1 号", "浙江杭州西湖区"], "address"),
        (["张三", "李四", "王五", "赵六"], "text"),
        (["是", "否", "是", "是"], "boolean"),
        (["Y", "n", "N"], "boolean"),
        ([True, False, True], "boolean"),
        (["很长的一段说明文字" * 15, "短"], "textarea"),
        (["第一行\n第二行", "一行"], "textarea"),
    ],
)
def test_types(values: list[Any], kind: str) -> None:
    assert proposed(values)[0] == kind


def test_ninety_percent_decides() -> None:
    phones = [f"1380013{i:04d}" for i in range(18)]
    assert proposed([*phones, "不详", "-"])[0] == "phone"  # 18 of 20
    assert proposed([*phones[:17], "不详", "-", "无"])[0] != "phone"  # 17 of 20


def test_select_choices_in_first_seen_order() -> None:
    kind, settings = proposed(["VIP", "普通", "VIP", "重要", "普通", "VIP"])
    assert kind == "select"
    assert settings == {"choices": [{"label": "VIP"}, {"label": "普通"}, {"label": "重要"}]}


def test_multiselect_from_separated_values() -> None:
    values = ["电话、邮件", "邮件", "上门,电话", "电话", "邮件；上门", "电话、上门"]
    kind, settings = proposed(values)
    assert kind == "multiselect"
    assert [c["label"] for c in settings["choices"]] == ["电话", "邮件", "上门"]


def test_money_currency_and_number_precision() -> None:
    assert proposed(["$12.5", "$3", "$1,000"]) == ("money", {"currency": "USD", "precision": 2})
    assert proposed(["1.125", "2", "3.5"]) == ("number", {"precision": 3})
    assert proposed(["1", "2", "3"]) == ("number", {})


def test_labels_samples_and_blank_ratio() -> None:
    t = table(["客户名称*", "备注"], ["甲", "乙", "丙", "甲"], [None, "", "x", None])
    name, note = propose_fields(t)
    assert (name.label, name.column, name.samples, name.blank_ratio) == (
        "客户名称", 0, ["甲", "乙", "丙"], 0.0,
    )  # fmt: skip
    assert (note.type, note.blank_ratio) == ("text", 0.75)
    empty = propose_fields(table(["空"], [None, None]))[0]
    assert (empty.type, empty.blank_ratio) == ("text", 1.0)


def test_sample_size_limits_the_cells_read() -> None:
    values = ["13800138000"] * 50 + ["not a phone"] * 50
    assert propose_fields(table(["p"], values), sample_size=50)[0].type == "phone"
