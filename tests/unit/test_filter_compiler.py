"""Golden SQL of the filter compiler on both dialects: the shape of the SQL, and that
every user value travels as a bound parameter, never as SQL text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from qiao.context import Ctx
from qiao.errors import BadRequest
from qiao.forms.ddl import build_tables
from qiao.forms.fields import registry
from qiao.forms.fields._choices import ChoiceSettings
from qiao.forms.model import FieldMeta, FormMeta
from qiao.query.filters import compile_filter

DIALECTS: dict[str, Dialect] = {
    # engines are never connected: they only provide each dialect's SQL compiler
    "sqlite": sa.create_engine("sqlite://").dialect,
    "postgresql": sa.create_engine("postgresql+psycopg://").dialect,
}
INJECTION = "'; DROP TABLE qiao_users; --"


def _field(i: int, key: str, type_: str, settings: dict[str, Any] | None = None) -> FieldMeta:
    ftype = registry.get(type_)
    parsed = ftype.parse_settings(settings or {})
    meta = FieldMeta(
        id=i,
        form_id=7,
        key=key,
        label=key,
        type=type_,
        settings=parsed,
        column_name=f"c_{i}",
        position=i,
    )
    if ftype.storage(meta).value == "junction":
        meta.column_name = f"qj_{i}"
    return meta


@pytest.fixture(scope="module")
def form() -> FormMeta:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    meta = FormMeta(
        id=7,
        app_id=1,
        name="客户",
        description="",
        table_name="qf_7",
        position=0,
        settings={},
        created_at=now,
        updated_at=now,
        created_by=None,
        deleted_at=None,
        fields=[
            _field(1, "name", "text"),
            _field(2, "amount", "money"),
            _field(3, "level", "select", {"choices": ["A", "B"]}),
            _field(4, "tags", "multiselect", {"choices": ["x", "y"]}),
            _field(5, "seen", "datetime"),
            _field(6, "links", "relation", {"target_form_id": 3, "multiple": True}),
            _field(8, "signed", "date"),
        ],
    )
    meta.table, meta.junctions = build_tables(meta)
    return meta


def _ctx(now: datetime = datetime(2024, 3, 5, 20, 0, tzinfo=UTC)) -> Ctx:
    # 2024-03-05 20:00 UTC is Wednesday 2024-03-06 04:00 in Shanghai
    return Ctx(user=None, clock=lambda: now)


def _sql(form: FormMeta, tree: Any, dialect: str, ctx: Ctx | None = None) -> tuple[str, Any]:
    condition = compile_filter(form, tree, ctx or _ctx())
    assert condition is not None
    stmt = sa.select(form.table.c.id).where(condition)
    compiled = stmt.compile(dialect=DIALECTS[dialect], compile_kwargs={"render_postcompile": True})
    return str(compiled).split("WHERE ", 1)[1], compiled.params


def _option(form: FormMeta, key: str, label: str) -> str:
    settings = form.by_key[key].settings
    assert isinstance(settings, ChoiceSettings)
    return next(c.id for c in settings.choices if c.label == label)


GOLDEN: list[tuple[str, Any, dict[str, str]]] = [
    (
        "contains escapes LIKE wildcards and lowers both sides",
        {"field": "name", "op": "contains", "value": "50%_off"},
        {
            "sqlite": "(lower(qf_7.c_1) LIKE '%' || lower(?) || '%' ESCAPE '/')",
            "postgresql": "(qf_7.c_1 ILIKE '%%' || %(c_1_1)s::VARCHAR || '%%' ESCAPE '/')",
        },
    ),
    (
        "negative operators keep empty values",
        {"field": "name", "op": "not_contains", "value": "x"},
        {
            "sqlite": "qf_7.c_1 IS NULL OR (lower(qf_7.c_1) NOT LIKE '%' || lower(?) || '%' ESCAPE '/')",
            "postgresql": "qf_7.c_1 IS NULL OR (qf_7.c_1 NOT ILIKE '%%' || %(c_1_1)s::VARCHAR || '%%' ESCAPE '/')",
        },
    ),
    (
        "between and a negated group",
        {
            "and": [
                {"field": "amount", "op": "between", "value": ["1", "2.5"]},
                {"not": {"field": "level", "op": "in", "value": ["A", "B"]}},
            ]
        },
        {
            "sqlite": "qf_7.c_2 >= ? AND qf_7.c_2 <= ? AND coalesce(qf_7.c_3 IN (?, ?), 0) = 0",
            "postgresql": "qf_7.c_2 >= %(c_2_1)s::BIGINT AND qf_7.c_2 <= %(c_2_2)s::BIGINT"
            " AND NOT coalesce(qf_7.c_3 IN (%(c_3_1_1)s::VARCHAR, %(c_3_1_2)s::VARCHAR), false)",
        },
    ),
    (
        "starts_with in an or group",
        {
            "or": [
                {"field": "name", "op": "starts_with", "value": "a_"},
                {"field": "name", "op": "is_empty"},
            ]
        },
        {
            "sqlite": "(lower(qf_7.c_1) LIKE lower(?) || '%' ESCAPE '/') OR qf_7.c_1 IS NULL",
            "postgresql": "(qf_7.c_1 ILIKE %(c_1_1)s::VARCHAR || '%%' ESCAPE '/')"
            " OR qf_7.c_1 IS NULL",
        },
    ),
    (
        "multiselect eq is exactly this set: two correlated counts",
        {"field": "tags", "op": "eq", "value": ["x", "y"]},
        {
            "sqlite": "(SELECT count(*) AS count_1 \nFROM qj_4 \nWHERE qj_4.record_id = qf_7.id"
            " AND qj_4.value IN (?, ?)) = ? AND (SELECT count(*) AS count_2 \nFROM qj_4 \n"
            "WHERE qj_4.record_id = qf_7.id) = ?",
            "postgresql": "(SELECT count(*) AS count_1 \nFROM qj_4 \nWHERE qj_4.record_id = qf_7.id"
            " AND qj_4.value IN (%(value_1_1)s::VARCHAR, %(value_1_2)s::VARCHAR))"
            " = %(param_1)s::INTEGER AND (SELECT count(*) AS count_2 \nFROM qj_4 \n"
            "WHERE qj_4.record_id = qf_7.id) = %(param_2)s::INTEGER",
        },
    ),
    (
        "relation not_in is NOT EXISTS over the junction table",
        {"field": "links", "op": "not_in", "value": [5]},
        {
            "sqlite": "NOT (EXISTS (SELECT ? AS anon_1 \nFROM qj_6 \n"
            "WHERE qj_6.record_id = qf_7.id AND qj_6.value IN (?)))",
            "postgresql": "NOT (EXISTS (SELECT %(param_1)s::INTEGER AS anon_1 \nFROM qj_6 \n"
            "WHERE qj_6.record_id = qf_7.id AND qj_6.value IN (%(value_1_1)s::BIGINT)))",
        },
    ),
    (
        "a datetime compared with a day is a half-open range",
        {"field": "seen", "op": "eq", "value": "2024-03-05"},
        {
            "sqlite": "qf_7.c_5 >= ? AND qf_7.c_5 < ?",
            "postgresql": "qf_7.c_5 >= %(c_5_1)s::TIMESTAMP WITH TIME ZONE"
            " AND qf_7.c_5 < %(c_5_2)s::TIMESTAMP WITH TIME ZONE",
        },
    ),
]


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize(("why", "tree", "expected"), GOLDEN, ids=[g[0] for g in GOLDEN])
def test_golden_sql(
    form: FormMeta, dialect: str, why: str, tree: Any, expected: dict[str, str]
) -> None:
    sql, _params = _sql(form, tree, dialect)
    assert sql == expected[dialect], why


@pytest.mark.parametrize("dialect", list(DIALECTS))
def test_values_are_bound_parameters(form: FormMeta, dialect: str) -> None:
    sql, params = _sql(form, {"field": "name", "op": "contains", "value": "50%_off"}, dialect)
    assert params == {"c_1_1": "50/%/_off"}  # wildcards escaped with the ESCAPE character
    sql, params = _sql(form, {"field": "amount", "op": "between", "value": ["1", "2.5"]}, dialect)
    assert params == {"c_2_1": 10000, "c_2_2": 25000}  # money stored × 10^4
    tree = {"field": "level", "op": "in", "value": ["A", "B"]}
    sql, params = _sql(form, tree, dialect)
    assert set(params.values()) == {_option(form, "level", "A"), _option(form, "level", "B")}
    assert "'A'" not in sql and _option(form, "level", "A") not in sql


NASTY = [INJECTION, "' OR '1'='1", "%(c_1_1)s", "?", ":name", "$1", "\\", '"', "北京😀"]


@pytest.mark.parametrize("dialect", list(DIALECTS))
@pytest.mark.parametrize("op", ["eq", "ne", "contains", "not_contains", "starts_with", "in"])
def test_no_user_text_becomes_sql(form: FormMeta, dialect: str, op: str) -> None:
    for value in NASTY:
        tree = {
            "or": [
                {"field": "name", "op": op, "value": [value] if op == "in" else value},
                {"not": {"field": "name", "op": op, "value": [value] if op == "in" else value}},
            ]
        }
        sql, params = _sql(form, tree, dialect)
        # the SQL text is the same whatever the value: only placeholders change hands
        baseline, _ = _sql(
            form,
            {
                "or": [
                    {"field": "name", "op": op, "value": ["v"] if op == "in" else "v"},
                    {"not": {"field": "name", "op": op, "value": ["v"] if op == "in" else "v"}},
                ]
            },
            dialect,
        )
        assert sql == baseline, value
        assert "DROP" not in sql and "OR '1'" not in sql
        bound = [v for v in params.values() if isinstance(v, str)]
        assert len(bound) == 2
        if op in ("eq", "ne", "in"):
            assert bound == [value, value]
        else:  # LIKE patterns: the value with its wildcards escaped
            escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
            assert bound == [escaped, escaped]


def test_relative_dates_are_computed_in_shanghai(form: FormMeta) -> None:
    def bounds(op: str, value: Any = None, key: str = "seen", ctx: Ctx | None = None) -> Any:
        node: dict[str, Any] = {"field": key, "op": op}
        if value is not None:
            node["value"] = value
        _sql_text, params = _sql(form, node, "postgresql", ctx)
        return tuple(params.values())

    def utc(year: int, month: int, day: int, hour: int) -> datetime:
        return datetime(year, month, day, hour, tzinfo=UTC)

    # "today" in Shanghai is 2024-03-06 although it is still 2024-03-05 in UTC
    assert bounds("today") == (utc(2024, 3, 5, 16), utc(2024, 3, 6, 16))
    assert bounds("yesterday") == (utc(2024, 3, 4, 16), utc(2024, 3, 5, 16))
    assert bounds("this_week") == (utc(2024, 3, 3, 16), utc(2024, 3, 10, 16))  # Monday 4th
    assert bounds("this_month") == (utc(2024, 2, 29, 16), utc(2024, 3, 31, 16))
    assert bounds("this_quarter") == (utc(2023, 12, 31, 16), utc(2024, 3, 31, 16))
    assert bounds("this_year") == (utc(2023, 12, 31, 16), utc(2024, 12, 31, 16))
    # 7 days ending today: Feb 29 .. Mar 6 in Shanghai
    assert bounds("last_n_days", 7) == (utc(2024, 2, 28, 16), utc(2024, 3, 6, 16))
    assert bounds("next_n_days", 3) == (utc(2024, 3, 5, 16), utc(2024, 3, 8, 16))
    # a date field compares days
    assert bounds("today", key="signed") == (date(2024, 3, 6), date(2024, 3, 7))
    assert bounds("last_n_days", 1, key="signed") == (date(2024, 3, 6), date(2024, 3, 7))
    assert bounds("this_week", key="signed") == (date(2024, 3, 4), date(2024, 3, 11))
    # a Sunday belongs to the week that began on the Monday before
    sunday = _ctx(datetime(2024, 3, 10, 15, 59, tzinfo=UTC))  # 23:59 Sunday in Shanghai
    assert bounds("this_week", key="signed", ctx=sunday) == (date(2024, 3, 4), date(2024, 3, 11))
    monday = _ctx(datetime(2024, 3, 10, 16, 0, tzinfo=UTC))  # 00:00 Monday in Shanghai
    assert bounds("this_week", key="signed", ctx=monday) == (date(2024, 3, 11), date(2024, 3, 18))
    december = _ctx(datetime(2024, 12, 31, 17, 0, tzinfo=UTC))  # 2025-01-01 in Shanghai
    assert bounds("this_quarter", key="signed", ctx=december) == (
        date(2025, 1, 1),
        date(2025, 4, 1),
    )
    assert bounds("yesterday", key="signed", ctx=december) == (date(2024, 12, 31), date(2025, 1, 1))
    # the whole Shanghai day of a date-only value
    assert bounds("lte", "2024-03-05") == (utc(2024, 3, 5, 16),)
    assert bounds("gt", "2024-03-05") == (utc(2024, 3, 5, 16),)
    assert bounds("gte", "2024-03-05") == (utc(2024, 3, 4, 16),)


def test_errors_are_collected_with_field_and_rule(form: FormMeta) -> None:
    tree = {
        "and": [
            {"field": "amount", "op": "eq", "value": "abc"},
            {"field": "ghost", "op": "eq", "value": 1},
            {"field": "tags", "op": "gt", "value": "x"},
            {"field": "seen", "op": "last_n_days", "value": 0},
            {"field": "name", "op": "is_empty", "value": "x"},
            {"or": "nope"},
        ]
    }
    with pytest.raises(BadRequest) as raised:
        compile_filter(form, tree, _ctx())
    assert raised.value.code == "invalid_filter"
    assert [(d.field, d.code) for d in raised.value.details] == [
        ("amount", "not_number"),
        ("filter.and[1].field", "filter_unknown_field"),
        ("tags", "filter_unsupported_op"),
        ("seen", "filter_value_days"),
        ("name", "filter_value_forbidden"),
        ("filter.and[5].or", "filter_shape"),
    ]
    assert raised.value.details[0].params["label"] == "amount"
    assert raised.value.details[3].params["op"] == "last_n_days"


def test_no_filter_is_no_condition(form: FormMeta) -> None:
    assert compile_filter(form, None, _ctx()) is None
