"""Coercion of every field type, through the type objects of the registry.

Each test builds a field by hand (no database) and checks what a user of the API would
see: the stored form, the JSON form, the display text, and the error code of bad input.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from qiao.context import Ctx
from qiao.errors import FieldValueError
from qiao.forms.fields import registry
from qiao.forms.fields._choices import ChoiceSettings, merge_choices
from qiao.forms.fields.autonumber import AutonumberType
from qiao.forms.fields.base import Bounds, FieldSettings
from qiao.forms.model import FieldMeta

CTX = Ctx(user=None)
CTX_EN = Ctx(user=None, locale="en")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def make_field(type_key: str, **settings: Any) -> FieldMeta:
    ftype = registry.get(type_key)
    return FieldMeta(
        id=1,
        form_id=1,
        key="f",
        label="字段",
        type=type_key,
        settings=ftype.parse_settings(settings),
        column_name="c_1",
    )


def store(type_key: str, value: Any, **settings: Any) -> Any:
    fm = make_field(type_key, **settings)
    return fm.ftype.to_storage(fm, value, CTX)


def roundtrip(type_key: str, value: Any, **settings: Any) -> Any:
    """API value -> stored -> API value."""
    fm = make_field(type_key, **settings)
    return fm.ftype.to_json(fm, fm.ftype.to_storage(fm, value, CTX), CTX)


def display(type_key: str, value: Any, ctx: Ctx = CTX, **settings: Any) -> str:
    fm = make_field(type_key, **settings)
    return fm.ftype.display(fm, fm.ftype.to_storage(fm, value, CTX), ctx)


def error_code(type_key: str, value: Any, **settings: Any) -> str:
    fm = make_field(type_key, **settings)
    with pytest.raises(FieldValueError) as info:
        fm.ftype.to_storage(fm, value, CTX)
    return info.value.code


def from_text(type_key: str, text: str, **settings: Any) -> Any:
    fm = make_field(type_key, **settings)
    return fm.ftype.from_text(fm, text, CTX)


# ----- registry ------------------------------------------------------------------------
def test_registry_offers_every_documented_type() -> None:
    public = {t.key for t in registry.public()}
    assert public == {
        "text", "textarea", "number", "money", "percent", "date", "datetime", "boolean",
        "select", "multiselect", "phone", "email", "url", "user", "autonumber", "relation",
        "department",
        "attachment", "image", "signature",
        "idcard", "rating", "richtext", "location", "address",
        "subform",
        "formula", "lookup", "rollup",
    }  # fmt: skip
    assert "sys_id" in registry and registry.get("sys_id").internal


@pytest.mark.parametrize(
    "type_key, settings",
    [
        ("text", {}),
        ("textarea", {}),
        ("number", {}),
        ("money", {}),
        ("percent", {}),
        ("date", {}),
        ("datetime", {}),
        ("boolean", {}),
        ("select", {"choices": ["A"]}),
        ("multiselect", {"choices": ["A"]}),
        ("phone", {}),
        ("email", {}),
        ("url", {}),
        ("user", {}),
        ("relation", {"target_form_id": 1}),
        ("relation", {"target_form_id": 1, "multiple": True}),
    ],
)
def test_none_is_empty_for_every_type(type_key: str, settings: dict[str, Any]) -> None:
    fm = make_field(type_key, **settings)
    stored = fm.ftype.to_storage(fm, None, CTX)
    assert fm.ftype.is_blank(stored)
    assert fm.ftype.display(fm, stored, CTX) == ""


@pytest.mark.parametrize("type_key", ["text", "number", "phone", "select", "relation"])
def test_unknown_settings_are_refused(type_key: str) -> None:
    extra: dict[str, Any] = {"target_form_id": 1} if type_key == "relation" else {}
    with pytest.raises(ValidationError):
        registry.get(type_key).parse_settings({**extra, "no_such_setting": 1})


# ----- text / textarea -----------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("华为技术有限公司", "华为技术有限公司"),
        ("  padded  ", "padded"),
        ("\t tabs and newlines \n", "tabs and newlines"),
        ("", None),
        ("   ", None),
        (None, None),
        (12, "12"),
        (-3, "-3"),
        (1.5, "1.5"),
        (Decimal("2.50"), "2.50"),
        ("inner  spaces kept", "inner  spaces kept"),
    ],
)
def test_text_accepts(value: Any, expected: str | None) -> None:
    assert store("text", value) == expected
    assert roundtrip("text", value) == expected


@pytest.mark.parametrize("value", [True, False, {"a": 1}, ["a"], object()])
def test_text_refuses_non_text(value: Any) -> None:
    assert error_code("text", value) == "not_text"


def test_text_max_length() -> None:
    assert store("text", "abc", max_length=3) == "abc"
    assert store("text", "  abc  ", max_length=3) == "abc"  # trimmed before counting
    assert error_code("text", "abcd", max_length=3) == "too_long"
    fm = make_field("text", max_length=3)
    with pytest.raises(FieldValueError) as info:
        fm.ftype.to_storage(fm, "abcd", CTX)
    assert info.value.params == {"max": 3}
    # default 200, counted in characters, not bytes
    assert store("text", "中" * 200) == "中" * 200
    assert error_code("text", "中" * 201) == "too_long"


@pytest.mark.parametrize("max_length", [0, -1, 1001])
def test_text_max_length_setting_bounds(max_length: int) -> None:
    with pytest.raises(ValidationError):
        registry.get("text").parse_settings({"max_length": max_length})


def test_textarea_keeps_inner_line_breaks_and_allows_long_text() -> None:
    assert store("textarea", "\n 第一行\n第二行\r\n第三行 \n") == "第一行\n第二行\r\n第三行"
    long = "x" * 10000
    assert store("textarea", long) == long
    assert error_code("textarea", long + "x") == "too_long"
    assert error_code("textarea", "abcdef", max_length=5) == "too_long"
    assert error_code("textarea", True) == "not_text"


def test_textarea_cannot_be_unique_but_text_can() -> None:
    assert registry.get("text").can_be_unique
    assert not registry.get("textarea").can_be_unique


# ----- number --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, settings, expected",
    [
        (42, {}, 42),
        ("42", {}, 42),
        (" 42 ", {}, 42),
        ("+5", {}, 5),
        ("-7.25", {}, Decimal("-7.25")),
        (".5", {}, Decimal("0.5")),
        ("1e3", {}, 1000),
        ("1,234,567.5", {}, Decimal("1234567.5")),
        (0.1, {}, Decimal("0.1")),
        (Decimal("3.14159"), {}, Decimal("3.14159")),
        # precision rounds half up (away from zero), exactly: 1.005 is not 1.00499...
        ("1.005", {"precision": 2}, Decimal("1.01")),
        (1.005, {"precision": 2}, Decimal("1.01")),
        ("1.004", {"precision": 2}, 1),  # integral values come back as int
        ("2.5", {"precision": 0}, 3),
        ("-2.5", {"precision": 0}, -3),
        ("0.0000005", {}, Decimal("0.000001")),
        ("0.0000004", {}, 0),
        ("12.3456789", {"precision": 3}, Decimal("12.346")),
    ],
)
def test_number_accepts(value: Any, settings: dict[str, Any], expected: Any) -> None:
    result = roundtrip("number", value, **settings)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "12abc",
        "1.2.3",
        "--1",
        "0x10",
        "NaN",
        "nan",
        "inf",
        "-Infinity",
        float("nan"),
        float("inf"),
        float("-inf"),
        True,
        False,
        [],
        [1],
        {"v": 1},
        "1 000",
    ],
)
def test_number_refuses_non_numbers(value: Any) -> None:
    assert error_code("number", value) == "not_number"


@pytest.mark.parametrize("value", ["", "   ", None])
def test_number_blank_is_empty(value: Any) -> None:
    assert store("number", value) is None


def test_number_min_max() -> None:
    settings = {"min": 0, "max": 100}
    assert store("number", 0, **settings) == 0
    assert roundtrip("number", 100, **settings) == 100
    assert error_code("number", -0.01, **settings) == "number_too_small"
    assert error_code("number", "100.5", **settings) == "number_too_large"
    fm = make_field("number", min="1.5")
    with pytest.raises(FieldValueError) as info:
        fm.ftype.to_storage(fm, 1, CTX)
    assert info.value.params == {"min": "1.5"}


def test_number_bounds_apply_after_rounding() -> None:
    # 99.996 shows as 100.00, which is within max=100
    assert roundtrip("number", "99.996", precision=2, max=100) == 100
    assert error_code("number", "100.005", precision=2, max=100) == "number_too_large"


def test_number_min_above_max_is_refused() -> None:
    with pytest.raises(ValidationError):
        registry.get("number").parse_settings({"min": 10, "max": 1})


@pytest.mark.parametrize("precision", [-1, 7])
def test_number_precision_setting_bounds(precision: int) -> None:
    with pytest.raises(ValidationError):
        registry.get("number").parse_settings({"precision": precision})


def test_number_range_of_64_bit_storage() -> None:
    # six decimals are stored, so the largest value is 9223372036854.775807
    assert roundtrip("number", "9223372036854.775807") == Decimal("9223372036854.775807")
    assert roundtrip("number", "-9223372036854.775807") == Decimal("-9223372036854.775807")
    assert error_code("number", "9223372036854.775808") == "number_out_of_range"
    assert error_code("number", 10**13) == "number_out_of_range"
    assert error_code("number", "1e30") == "number_out_of_range"
    assert error_code("number", "1e999999999") == "number_out_of_range"


def test_number_stored_as_exact_scaled_integer() -> None:
    assert store("number", "0.1") == 100_000
    assert store("number", "0.2") == 200_000
    assert store("number", "0.1") + store("number", "0.2") == store("number", "0.3")


def test_number_display() -> None:
    assert display("number", "1234.5", precision=2) == "1234.50"
    assert display("number", 7, precision=0) == "7"
    assert display("number", "-0.125", precision=2) == "-0.13"


# ----- money ---------------------------------------------------------------------------
def test_money_is_exact() -> None:
    tenth, fifth = store("money", 0.1), store("money", 0.2)
    assert (tenth, fifth) == (1000, 2000)  # integers of 1/10000
    assert isinstance(tenth, int) and isinstance(fifth, int)
    fm = make_field("money")
    total = fm.ftype.to_json(fm, tenth + fifth, CTX)
    assert total == Decimal("0.3")
    assert str(total) == "0.3"
    assert 0.1 + 0.2 != 0.3  # what floats would have given
    many = sum(store("money", "0.01") for _ in range(1000))
    assert fm.ftype.to_json(fm, many, CTX) == 10


@pytest.mark.parametrize(
    "value, settings, expected",
    [
        ("1234.567", {}, Decimal("1234.57")),  # two decimals by default
        ("1234.565", {}, Decimal("1234.57")),  # half up
        ("0.005", {}, Decimal("0.01")),
        ("19.99", {}, Decimal("19.99")),
        (100, {}, 100),
        ("1,000,000", {}, 1000000),
        ("1.23456", {"precision": 4}, Decimal("1.2346")),
        ("12.5", {"precision": 0}, 13),
        ("922337203685477.58", {}, Decimal("922337203685477.58")),
    ],
)
def test_money_accepts(value: Any, settings: dict[str, Any], expected: Any) -> None:
    assert roundtrip("money", value, **settings) == expected


@pytest.mark.parametrize("value", ["¥100", "100元", "abc", True, float("nan"), [1]])
def test_money_refuses(value: Any) -> None:
    assert error_code("money", value) == "not_number"


def test_money_out_of_range_and_bounds() -> None:
    assert error_code("money", "922337203685478") == "number_out_of_range"
    assert error_code("money", -1, min=0) == "number_too_small"


@pytest.mark.parametrize(
    "value, settings, expected",
    [
        ("1234567.891", {}, "¥1,234,567.89"),
        ("0.1", {}, "¥0.10"),
        ("-5", {}, "-¥5.00"),
        (12, {"currency": "USD"}, "$12.00"),
        (12, {"currency": "EUR"}, "€12.00"),
        (12, {"currency": "HKD"}, "HK$12.00"),
        (12, {"currency": "GBP"}, "12.00 GBP"),
        ("3.14159", {"precision": 4}, "¥3.1416"),
        ("2000", {"precision": 0}, "¥2,000"),
    ],
)
def test_money_display_with_currency(value: Any, settings: dict[str, Any], expected: str) -> None:
    assert display("money", value, **settings) == expected


@pytest.mark.parametrize("settings", [{"currency": "cny"}, {"currency": "RMB1"}, {"precision": 5}])
def test_money_settings_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        registry.get("money").parse_settings(settings)


# ----- percent -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, settings, expected",
    [
        ("15.5%", {}, Decimal("0.155")),
        (" 15.5 % ".strip(), {}, Decimal("0.155")),
        (0.155, {}, Decimal("0.155")),
        ("0.155", {}, Decimal("0.155")),
        ("100%", {}, 1),
        ("-20%", {}, Decimal("-0.2")),
        ("250%", {}, Decimal("2.5")),
        # precision counts decimals of the percentage: 2 by default
        ("15.555%", {}, Decimal("0.1556")),
        ("15.555%", {"precision": 0}, Decimal("0.16")),
        ("15.5%", {"precision": 0}, Decimal("0.16")),
        ("12.34567%", {"precision": 4}, Decimal("0.123457")),  # 12.3457%
    ],
)
def test_percent_accepts(value: Any, settings: dict[str, Any], expected: Any) -> None:
    assert roundtrip("percent", value, **settings) == expected


@pytest.mark.parametrize("value", ["abc%", "%", "15%%", "百分之十", True, "NaN%"])
def test_percent_refuses(value: Any) -> None:
    assert error_code("percent", value) == "not_number"


def test_percent_display_and_bounds() -> None:
    assert display("percent", "15.5%") == "15.50%"
    assert display("percent", 0.5, precision=0) == "50%"
    assert display("percent", "0.12345", precision=1) == "12.3%"
    assert store("percent", 1, min=0, max=1) is not None
    fm = make_field("percent", min=0, max=1)
    with pytest.raises(FieldValueError) as info:
        fm.ftype.to_storage(fm, "120%", CTX)
    assert info.value.code == "number_too_large"
    assert info.value.params == {"max": "100%"}  # the bound is shown as a percentage


# ----- date ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("2024-03-05", "2024-03-05"),
        (" 2024-03-05 ", "2024-03-05"),
        ("2024-02-29", "2024-02-29"),
        ("0001-01-01", "0001-01-01"),
        ("9999-12-31", "9999-12-31"),
        (date(2024, 3, 5), "2024-03-05"),
        ("", None),
        (None, None),
    ],
)
def test_date_accepts_iso(value: Any, expected: str | None) -> None:
    assert roundtrip("date", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "2024-3-5x",
        "05/03/2024",
        "yesterday",
        "2024-03-05T10:00:00",  # a datetime is not a date
        datetime(2024, 3, 5, 10, 0),
        20240305,
        True,
        ["2024-03-05"],
    ],
)
def test_date_refuses(value: Any) -> None:
    assert error_code("date", value) == "invalid_date"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2024-03-05", date(2024, 3, 5)),
        ("2024/3/5", date(2024, 3, 5)),
        ("2024/03/05", date(2024, 3, 5)),
        ("2024.3.5", date(2024, 3, 5)),
        ("2024年3月5日", date(2024, 3, 5)),
        ("2024 年 3 月 5 日", date(2024, 3, 5)),
        ("2024-03-05 10:30:00", date(2024, 3, 5)),
        ("   ", None),
    ],
)
def test_date_from_text_is_lenient(text: str, expected: date | None) -> None:
    assert from_text("date", text) == expected


@pytest.mark.parametrize("text", ["2024/2/30", "2024年13月1日", "2024年2月30日", "三月五日", "5/3"])
def test_date_from_text_refuses_impossible_dates(text: str) -> None:
    fm = make_field("date")
    with pytest.raises(FieldValueError) as info:
        fm.ftype.from_text(fm, text, CTX)
    assert info.value.code == "invalid_date"


# ----- datetime ------------------------------------------------------------------------
def test_datetime_with_offset_is_kept_as_the_same_instant() -> None:
    stored = store("datetime", "2024-03-05T09:30:00+00:00")
    assert stored == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
    assert stored.utcoffset() == timedelta(0)  # stored in UTC
    assert roundtrip("datetime", "2024-03-05T09:30:00+00:00") == "2024-03-05T17:30:00+08:00"
    assert roundtrip("datetime", "2024-03-05T09:30:00Z") == "2024-03-05T17:30:00+08:00"
    assert roundtrip("datetime", "2024-03-05T09:30:00-05:00") == "2024-03-05T22:30:00+08:00"
    assert roundtrip("datetime", "2024-03-05T09:30:00+14:00") == "2024-03-05T03:30:00+08:00"
    # crossing midnight changes the local date
    assert roundtrip("datetime", "2024-03-05T20:00:00+00:00") == "2024-03-06T04:00:00+08:00"


def test_datetime_without_offset_is_shanghai_time() -> None:
    stored = store("datetime", "2024-03-05T09:30:00")
    assert stored == datetime(2024, 3, 5, 1, 30, tzinfo=UTC)
    assert roundtrip("datetime", "2024-03-05 09:30") == "2024-03-05T09:30:00+08:00"
    assert roundtrip("datetime", datetime(2024, 3, 5, 9, 30)) == "2024-03-05T09:30:00+08:00"


def test_datetime_keeps_microseconds_and_shows_local_text() -> None:
    value = "2024-03-05T09:30:00.123456+08:00"
    assert roundtrip("datetime", value) == value
    assert display("datetime", "2024-03-05T01:30:00Z") == "2024-03-05 09:30:00"


def test_datetime_output_follows_the_org_zone() -> None:
    fm = make_field("datetime")
    stored = fm.ftype.to_storage(fm, "2024-03-05T09:30:00+08:00", CTX)
    utc_ctx = Ctx(user=None, tz=ZoneInfo("UTC"))
    assert fm.ftype.to_json(fm, stored, utc_ctx) == "2024-03-05T01:30:00+00:00"
    # a naive value is read in the context's zone
    naive = fm.ftype.to_storage(fm, "2024-03-05T09:30:00", utc_ctx)
    assert naive == datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "2024-03-05",  # a date alone is not an instant
        "2024-13-05T09:30:00",
        "2024-02-30T09:30:00+08:00",
        "2024-03-05T25:00:00",
        "2024-03-05T09:30:00+25:00",
        "next tuesday",
        "0001-01-01T00:00:00+08:00",  # before year 1 in UTC
        "9999-12-31T23:00:00+00:00",  # after year 9999 in Shanghai
        "9999-12-31T23:59:59-08:00",
        1709602200,
        True,
        date(2024, 3, 5),
    ],
)
def test_datetime_refuses(value: Any) -> None:
    assert error_code("datetime", value) == "invalid_datetime"


def test_datetime_from_text_accepts_dates_as_local_midnight() -> None:
    assert from_text("datetime", "2024年3月5日") == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert from_text("datetime", "2024/3/5") == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert from_text("datetime", "2024-03-05 08:00:00") == datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
    fm = make_field("datetime")
    with pytest.raises(FieldValueError):
        fm.ftype.from_text(fm, "0001-01-01", CTX)


def test_datetime_filter_on_a_date_means_the_whole_local_day() -> None:
    fm = make_field("datetime")
    operand = fm.ftype.filter_operand(fm, "eq", "2024-03-05", CTX)
    assert isinstance(operand, Bounds)
    assert operand.lo == datetime(2024, 3, 4, 16, 0, tzinfo=UTC)
    assert operand.hi == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)
    for edge in ("0001-01-01", "9999-12-31"):
        with pytest.raises(FieldValueError):
            fm.ftype.filter_operand(fm, "eq", edge, CTX)


# ----- boolean -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        ("true", True),
        ("TRUE", True),
        (" True ", True),
        ("false", False),
        ("1", True),
        ("0", False),
        ("yes", True),
        ("no", False),
        ("是", True),
        ("否", False),
        ("对", True),
        ("不是", False),
        ("on", True),
        ("off", False),
        ("", None),
        (None, None),
    ],
)
def test_boolean_accepts(value: Any, expected: bool | None) -> None:
    result = roundtrip("boolean", value)
    assert result is expected


@pytest.mark.parametrize("value", [2, -1, 1.0, 0.5, "maybe", "2", "真的", [], {}, [True]])
def test_boolean_refuses(value: Any) -> None:
    assert error_code("boolean", value) == "not_boolean"


def test_boolean_display_is_localised() -> None:
    assert display("boolean", True) == "是"
    assert display("boolean", False) == "否"
    assert display("boolean", True, CTX_EN) == "Yes"
    assert display("boolean", "否", CTX_EN) == "No"


# ----- select / multiselect ------------------------------------------------------------
def choice_ids(fm: FieldMeta) -> dict[str, str]:
    assert isinstance(fm.settings, ChoiceSettings)
    return {c.label: c.id for c in fm.settings.choices}


def test_select_labels_map_to_stable_option_ids() -> None:
    fm = make_field("select", choices=["A级", "B级", {"label": "C级", "color": "#ff0000"}])
    ids = choice_ids(fm)
    assert len(set(ids.values())) == 3 and all(ids.values())
    stored = fm.ftype.to_storage(fm, "B级", CTX)
    assert stored == ids["B级"]
    assert fm.ftype.to_storage(fm, "  B级 ", CTX) == ids["B级"]
    assert fm.ftype.to_json(fm, stored, CTX) == "B级"
    assert fm.ftype.display(fm, stored, CTX) == "B级"
    assert fm.ftype.to_storage(fm, "", CTX) is None
    assert isinstance(fm.settings, ChoiceSettings)
    colours = [c.color for c in fm.settings.choices]
    assert colours[2] == "#ff0000" and all(colours)  # palette colours for the others


@pytest.mark.parametrize("value", ["D级", "a级", 1, True, ["A级"], {"label": "A级"}])
def test_select_refuses_unknown_options(value: Any) -> None:
    assert error_code("select", value, choices=["A级", "B级"]) == "invalid_choice"


def test_select_by_option_id_is_not_accepted_as_label() -> None:
    fm = make_field("select", choices=["A"])
    with pytest.raises(FieldValueError):
        fm.ftype.to_storage(fm, choice_ids(fm)["A"], CTX)


@pytest.mark.parametrize(
    "choices",
    [
        ["A", "A"],
        ["A", " A "],
        [""],
        ["   "],
        [{"label": "A", "color": "red"}],
        [{"label": "A", "bogus": 1}],
        ["x" * 101],
    ],
)
def test_choice_settings_refused(choices: list[Any]) -> None:
    for type_key in ("select", "multiselect"):
        with pytest.raises(ValidationError):
            registry.get(type_key).parse_settings({"choices": choices})


def test_merge_choices_keeps_ids_on_rename_and_archives_removed_options() -> None:
    ftype = registry.get("select")
    old = ftype.parse_settings({"choices": ["潜在", "意向", "成交"]})
    assert isinstance(old, ChoiceSettings)
    ids = {c.label: c.id for c in old.choices}
    # rename 意向 (by id), keep 潜在 (by label), drop 成交, add 流失
    new = ftype.parse_settings(
        {"choices": ["潜在", {"id": ids["意向"], "label": "商机"}, "流失"]}, old
    )
    assert isinstance(new, ChoiceSettings)
    by_label = {c.label: c for c in new.choices}
    assert by_label["潜在"].id == ids["潜在"]
    assert by_label["商机"].id == ids["意向"]
    assert by_label["流失"].id not in ids.values()
    assert by_label["成交"].id == ids["成交"] and by_label["成交"].archived
    assert [c.archived for c in new.choices] == [False, False, False, True]
    # colours survive a rename
    assert by_label["商机"].color == {c.id: c.color for c in old.choices}[ids["意向"]]

    fm = FieldMeta(1, 1, "stage", "阶段", "select", new, "c_1")
    # existing records show the new label, and the archived one still shows
    assert ftype.to_json(fm, ids["意向"], CTX) == "商机"
    assert ftype.to_json(fm, ids["成交"], CTX) == "成交"
    # but the removed option cannot be chosen any more, and the old label is gone
    for label in ("成交", "意向"):
        with pytest.raises(FieldValueError) as info:
            ftype.to_storage(fm, label, CTX)
        assert info.value.code == "invalid_choice"
    assert ftype.to_storage(fm, "商机", CTX) == ids["意向"]


def test_merge_choices_unknown_id_gets_a_fresh_one_and_duplicate_ids_are_split() -> None:
    old = merge_choices(ChoiceSettings.model_validate({"choices": ["A"]}), None)
    a_id = old.choices[0].id
    raw = {
        "choices": [
            {"id": "forged", "label": "X"},
            {"id": a_id, "label": "A"},
            {"id": a_id, "label": "B"},
        ]
    }
    new = merge_choices(ChoiceSettings.model_validate(raw), old)
    ids = [c.id for c in new.choices]
    assert ids[1] == a_id
    assert ids[0] != "forged"
    assert len(set(ids)) == 3


def test_archived_label_may_be_reused_by_a_new_option() -> None:
    ftype = registry.get("select")
    old = ftype.parse_settings({"choices": ["A", "B"]})
    dropped = ftype.parse_settings({"choices": ["A"]}, old)
    assert isinstance(dropped, ChoiceSettings)
    assert [(c.label, c.archived) for c in dropped.choices] == [("A", False), ("B", True)]


def test_multiselect_lists_of_labels() -> None:
    fm = make_field("multiselect", choices=["x", "y", "z"])
    ids = choice_ids(fm)
    stored = fm.ftype.to_storage(fm, ["z", "x"], CTX)
    assert stored == [ids["z"], ids["x"]]  # order kept
    assert fm.ftype.to_json(fm, stored, CTX) == ["z", "x"]
    assert fm.ftype.display(fm, stored, CTX) == "z、x"
    assert fm.ftype.to_storage(fm, [], CTX) == []
    assert fm.ftype.to_storage(fm, None, CTX) == []
    assert fm.ftype.to_json(fm, [], CTX) == []


@pytest.mark.parametrize(
    "value, code",
    [
        ("x", "not_list"),
        ({"x": True}, "not_list"),
        (["x", "x"], "duplicate_values"),
        (["x", " x"], "duplicate_values"),
        (["x", "w"], "invalid_choice"),
        ([1], "invalid_choice"),
        ([None], "invalid_choice"),
        ([["x"]], "invalid_choice"),
    ],
)
def test_multiselect_refuses(value: Any, code: str) -> None:
    assert error_code("multiselect", value, choices=["x", "y"]) == code


def test_multiselect_from_text_splits_on_common_separators() -> None:
    fm = make_field("multiselect", choices=["红", "绿", "蓝"])
    ids = choice_ids(fm)
    for text in ("红、绿", "红,绿", "红，绿", "红; 绿", "红/绿"):
        assert fm.ftype.from_text(fm, text, CTX) == [ids["红"], ids["绿"]]
    with pytest.raises(FieldValueError):
        fm.ftype.from_text(fm, "红、紫", CTX)


# ----- phone ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("13812345678", "13812345678"),
        (13812345678, "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("0086-13812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("19912345678", "19912345678"),
        ("010-12345678", "010-12345678"),
        ("01012345678", "010-12345678"),
        ("(010) 12345678", "010-12345678"),
        ("（010）12345678", "010-12345678"),
        ("+86 10 1234 5678", "010-12345678"),
        ("0755-88886666", "0755-88886666"),
        ("075588886666", "0755-88886666"),
        ("+86 755 8888 6666", "0755-88886666"),
        ("021-62345678", "021-62345678"),
        ("400-800-1234", "400-800-1234"),
        ("4008001234", "400-800-1234"),
        ("400 800 1234", "400-800-1234"),
        ("800-800-1234", "800-800-1234"),
        ("010-12345678转123", "010-12345678-123"),
        ("010-12345678 转 8001", "010-12345678-8001"),
        ("010-12345678 ext 8", "010-12345678-8"),
        ("0755-88886666#66", "0755-88886666-66"),
        ("", None),
        ("  ", None),
    ],
)
def test_phone_normalises_mainland_numbers(value: Any, expected: str | None) -> None:
    assert roundtrip("phone", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "123",
        "12345678",  # a landline without its area code
        "1381234567",  # one digit short
        "138123456789",  # one digit too many
        "12345678901",  # no such mobile prefix
        "10086x",
        "abc",
        "138-abcd-5678",
        "+1 650 253 0000",  # United States
        "+852 2345 6789",  # Hong Kong
        "+44 20 7946 0958",  # United Kingdom
        "+886 2 2345 6789",  # Taiwan
        "010-12345678转",
        "13812345678; 13912345678",
        "tel:13812345678",
    ],
)
def test_phone_refuses_invalid_and_foreign_numbers(value: str) -> None:
    assert error_code("phone", value) == "invalid_phone"


@pytest.mark.parametrize("value", [True, {"n": 1}, ["13812345678"]])
def test_phone_refuses_non_text(value: Any) -> None:
    assert error_code("phone", value) == "not_text"


def test_phone_too_long() -> None:
    assert error_code("phone", "1" * 41) == "too_long"


# ----- email ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("zhang.san@example.com", "zhang.san@example.com"),
        ("Zhang.San@Example.COM", "zhang.san@example.com"),
        ("  sales@huawei.com ", "sales@huawei.com"),
        ("a+tag@sub.example.cn", "a+tag@sub.example.cn"),
        ("张三@例子.中国", "张三@例子.中国"),
        ("", None),
    ],
)
def test_email_accepts(value: str, expected: str | None) -> None:
    assert roundtrip("email", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "zhangsan",
        "zhangsan@",
        "@example.com",
        "a@b",
        "a b@example.com",
        "a@@example.com",
        "a@example..com",
        "a@-example.com",
        "a@example.com, b@example.com",
        "<a@example.com>",
    ],
)
def test_email_refuses(value: str) -> None:
    assert error_code("email", value) == "invalid_email"


def test_email_refuses_non_text_and_over_long() -> None:
    assert error_code("email", 42) == "invalid_email"
    assert error_code("email", False) == "not_text"
    assert error_code("email", "a" * 250 + "@b.cn") == "too_long"


# ----- url -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://www.example.com", "https://www.example.com"),
        ("http://example.com/path?q=1#top", "http://example.com/path?q=1#top"),
        ("www.example.com", "https://www.example.com"),
        ("example.com/a/b", "https://example.com/a/b"),
        ("  qiao.dev  ", "https://qiao.dev"),
        ("localhost:8000", "https://localhost:8000"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("https://例子.中国/页面", "https://例子.中国/页面"),
        ("HTTPS://EXAMPLE.COM", "HTTPS://EXAMPLE.COM"),
        ("https://user:pw@example.com", "https://user:pw@example.com"),
        ("", None),
    ],
)
def test_url_accepts(value: str, expected: str | None) -> None:
    assert roundtrip("url", value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "ftp://example.com",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "mailto:sales@example.com",
        "sales@example.com",
        "http://exa mple.com",
        "https://example.com/a b",
        "www.example .com",
        "example",
        "https://",
        "http://",
        "://example.com",
        "https://-/",
    ],
)
def test_url_refuses(value: str) -> None:
    assert error_code("url", value) == "invalid_url"


def test_url_too_long() -> None:
    assert error_code("url", "https://example.com/" + "a" * 2048) == "too_long"


# ----- user / relation ids -------------------------------------------------------------
@pytest.mark.parametrize(
    "value, expected",
    [(5, 5), ("5", 5), (" 12 ", 12), (2**63 - 1, 2**63 - 1), (None, None), ("", None)],
)
def test_user_ids(value: Any, expected: int | None) -> None:
    assert store("user", value) == expected


@pytest.mark.parametrize(
    "value", [0, -1, "-1", 2**63, True, False, 1.5, 1.0, "abc", "1e3", "0x10", [5], {"id": 5}]
)
def test_user_refuses_non_ids(value: Any) -> None:
    assert error_code("user", value) == "user_not_found"


def test_relation_single() -> None:
    settings = {"target_form_id": 7}
    assert store("relation", 3, **settings) == 3
    assert store("relation", "3", **settings) == 3
    assert store("relation", [3], **settings) == 3
    assert store("relation", [], **settings) is None
    assert store("relation", "", **settings) is None
    assert error_code("relation", [3, 4], **settings) == "relation_single_value"
    for bad in (0, -2, "x", True, 2.5, {"id": 3}, 2**63):
        assert error_code("relation", bad, **settings) == "not_record_id"
    fm = make_field("relation", **settings)
    assert fm.ftype.referenced_form(fm) == 7
    assert fm.ftype.storage(fm).value == "column"


def test_relation_multiple() -> None:
    settings = {"target_form_id": 7, "multiple": True}
    assert store("relation", [3, "4", 5], **settings) == [3, 4, 5]
    assert store("relation", 3, **settings) == [3]
    assert store("relation", None, **settings) == []
    assert store("relation", [], **settings) == []
    assert error_code("relation", [3, 3], **settings) == "duplicate_values"
    assert error_code("relation", [3, "3"], **settings) == "duplicate_values"
    assert error_code("relation", [3, "x"], **settings) == "not_record_id"
    assert error_code("relation", [3, None], **settings) == "not_record_id"
    fm = make_field("relation", **settings)
    assert fm.ftype.storage(fm).value == "junction"
    assert fm.ftype.display(fm, [3, 4], CTX) == "3、4"


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"target_form_id": 0},
        {"target_form_id": 1, "on_delete": "cascade"},
        {"target_form_id": 1, "multiple": "sometimes"},
    ],
)
def test_relation_settings_refused(settings: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        registry.get("relation").parse_settings(settings)


# ----- autonumber ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "pattern",
    ["{00000}", "KH-{YYYY}{MM}-{0000}", "HT{YY}{MM}{DD}{000}", "{0}", "NO.{000000000000}"],
)
def test_autonumber_pattern_accepted(pattern: str) -> None:
    settings = registry.get("autonumber").parse_settings({"pattern": pattern})
    assert getattr(settings, "pattern", None) == pattern


@pytest.mark.parametrize(
    "pattern",
    [
        "KH-{YYYY}",  # no counter
        "{0000}-{00}",  # two counters
        "no tokens",
        "{0000000000000}",  # counter wider than 12 digits
        "",
        "X" * 61 + "{0}",
    ],
)
def test_autonumber_pattern_needs_exactly_one_counter(pattern: str) -> None:
    with pytest.raises(ValidationError):
        registry.get("autonumber").parse_settings({"pattern": pattern})


def test_autonumber_default_pattern_and_rendering() -> None:
    settings = registry.get("autonumber").parse_settings({})
    assert getattr(settings, "pattern", None) == "{00000}"
    when = datetime(2024, 3, 5, 9, 30, tzinfo=SHANGHAI)
    assert AutonumberType._render("KH-{YYYY}{MM}-{0000}", when, 7) == "KH-202403-0007"
    assert AutonumberType._render("HT{YY}{MM}{DD}{000}", when, 42) == "HT240305042"
    assert AutonumberType._render("{00}", when, 123) == "123"  # widens, never truncates


def test_autonumber_is_read_only_and_unique() -> None:
    ftype = registry.get("autonumber")
    assert not ftype.writable
    assert ftype.always_unique
    assert ftype.generates_values


def test_settings_model_is_a_field_settings() -> None:
    for ftype in registry.all():
        assert issubclass(ftype.settings_model, FieldSettings)


def test_ctx_zone_is_shanghai_by_default() -> None:
    assert CTX.tz == SHANGHAI
    assert datetime(2024, 1, 1, tzinfo=SHANGHAI).utcoffset() == timedelta(hours=8)
