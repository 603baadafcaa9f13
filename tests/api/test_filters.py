"""The filter language end to end, on SQLite and PostgreSQL.

One form holds every field type; a small known dataset (with empty values, and one
record in the recycle bin that must never match) is queried with a table of
(field, op, value) cases, each asserting the exact set of matching records. A coverage
test reads the field type registry so that a new operator without a case fails.
Dates are built relative to today in Asia/Shanghai, the organisation's zone.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from PIL import Image

from qiao.db.types import UTCDateTime
from qiao.forms.fields import registry
from qiao.forms.model import FieldMeta
from qiao.forms.system_fields import SYSTEM_FIELDS, system_fields
from qiao.org import users
from qiao.query.filters import MAX_CONDITIONS, MAX_DEPTH
from qiao.query.operators import operators
from qiao.runtime import Runtime
from tests.conftest import Api

SHANGHAI = ZoneInfo("Asia/Shanghai")
MISSING: Any = object()  # a case that sends no "value"
R = frozenset(range(8))  # the live records; record 8 is in the recycle bin
# valid resident ID numbers (check characters computed with ISO 7064 MOD 11-2)
ID_A, ID_B, ID_C = "110105198001010016", "110105198512310029", "440305199001010034"
ID_D, ID_E = "310115200002290048", "440305197511110052"
PLACES = {
    "bj": {"lat": 39.9042, "lng": 116.4074},
    "tj": {"lat": 39.0842, "lng": 117.2009},  # 114 km from Beijing
    "sh": {"lat": 31.2304, "lng": 121.4737},  # 1067 km
    "gz": {"lat": 23.1291, "lng": 113.2644},  # 1890 km
    "sz": {"lat": 22.5431, "lng": 114.0579},  # 104 km from Guangzhou
}
TRASHED = 8

INJECTION = "'; DROP TABLE qiao_users; --"


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


# ----- the form ---------------------------------------------------------------------------
def all_fields(target_form_id: int) -> list[dict[str, Any]]:
    return [
        {"key": "t", "label": "文本", "type": "text"},
        {"key": "ta", "label": "多行文本", "type": "textarea"},
        {"key": "n", "label": "数字", "type": "number", "settings": {"precision": 2}},
        {"key": "m", "label": "金额", "type": "money"},
        {"key": "p", "label": "百分比", "type": "percent"},
        {"key": "d", "label": "日期", "type": "date"},
        {"key": "dt", "label": "日期时间", "type": "datetime"},
        {"key": "b", "label": "布尔", "type": "boolean"},
        {
            "key": "s",
            "label": "单选",
            "type": "select",
            "settings": {"choices": ["红", "Green", "Blue"]},
        },
        {
            "key": "ms",
            "label": "多选",
            "type": "multiselect",
            "settings": {"choices": ["a", "b", "c"]},
        },
        {"key": "ph", "label": "电话", "type": "phone"},
        {"key": "em", "label": "邮箱", "type": "email"},
        {"key": "u", "label": "网址", "type": "url"},
        {"key": "us", "label": "成员", "type": "user"},
        {"key": "dep", "label": "部门", "type": "department"},
        {"key": "an", "label": "编号", "type": "autonumber", "settings": {"pattern": "NO-{0000}"}},
        {
            "key": "r1",
            "label": "关联",
            "type": "relation",
            "settings": {"target_form_id": target_form_id},
        },
        {
            "key": "rm",
            "label": "多关联",
            "type": "relation",
            "settings": {"target_form_id": target_form_id, "multiple": True},
        },
        {"key": "ic", "label": "身份证", "type": "idcard"},
        {"key": "ra", "label": "评分", "type": "rating"},
        {"key": "rt", "label": "富文本", "type": "richtext"},
        {"key": "loc", "label": "定位", "type": "location"},
        {"key": "ad", "label": "地址", "type": "address"},
        {"key": "fa", "label": "附件", "type": "attachment"},
        {"key": "fi", "label": "图片", "type": "image"},
        {"key": "fs", "label": "签名", "type": "signature"},
        {
            "key": "sf",
            "label": "子表单",
            "type": "subform",
            "settings": {"columns": [{"key": "q", "label": "数量", "type": "number"}]},
        },
        {"key": "fx", "label": "公式", "type": "formula", "settings": {"expression": "n * 2"}},
        {
            "key": "lk",
            "label": "引用",
            "type": "lookup",
            "settings": {"relation": "r1", "field": "name"},
        },
        {
            "key": "ru",
            "label": "汇总",
            "type": "rollup",
            "settings": {"relation": "rm", "aggregate": "count"},
        },
    ]


#: which records get files (uploaded before they are created): field -> record indexes
FILES_ON = {"fa": (1, 2), "fi": (3,), "fs": (1,)}


def file_values(api: Api, form_id: int) -> dict[int, dict[str, Any]]:
    """Upload a file per (field, record) of FILES_ON; the record data that saves them."""
    image = io.BytesIO()
    Image.new("RGB", (8, 8)).save(image, "PNG")
    found: dict[int, dict[str, Any]] = {}
    for key, indexes in FILES_ON.items():
        for index in indexes:
            upload = ("a.png", image.getvalue()) if key != "fa" else ("a.txt", b"text")
            response = api.post(f"/forms/{form_id}/fields/{key}/files", files={"files": upload})
            found.setdefault(index, {})[key] = [api.ok(response, 201)["items"][0]["id"]]
    return found


@dataclass
class Env:
    """Everything the dataset and the cases depend on that is only known at run time."""

    today: date
    admin: int
    u1: int
    u2: int
    targets: list[int]  # three records of the related form
    ids: list[int] = field(default_factory=list)  # record id by index


def sh(day: date, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    """A wall-clock time in Shanghai."""
    return datetime.combine(day, time(hh, mm, ss), SHANGHAI)


def record_data(env: Env) -> list[dict[str, Any]]:
    """API input of records 0..7 and of record 8 (deleted before querying)."""
    T = env.today
    A, U1, U2 = env.admin, env.u1, env.u2
    T1, T2, T3 = env.targets
    day = timedelta(days=1)
    columns: dict[str, list[Any]] = {
        "t": [
            None,
            "Alpha Corp",
            "alpha beta",
            "100% 真实",
            "a_b\\c/d",
            'O\'Brien "Q"',
            INJECTION,
            "北京华为",
        ],
        "ta": [
            None,
            "第一行\n第二行",
            "Hello\nWORLD",
            None,
            "50% off_today",
            "hello 😀",
            None,
            "x",
        ],
        "n": [None, 0, 10, "10.5", -3, 1000, 2.25, 10],
        "m": [None, "1234.50", "0.10", "0.20", "0.30", None, "99999999.99", "-5"],
        "p": [None, 0.155, "15.5%", 1, 0, None, "-10%", 0.5],
        "d": [None, T, T - day, T + day, T - 6 * day, T + 6 * day, T - 40 * day, T - 400 * day],
        "dt": [
            None,
            f"{T}T00:00:00+08:00",  # first instant of today
            f"{T - day}T23:59:59+08:00",  # last second of yesterday
            f"{T + day}T00:00:00+08:00",  # first instant of tomorrow
            f"{T - day}T16:30:00Z",  # yesterday in UTC, today 00:30 in Shanghai
            f"{T}T12:00:00+08:00",
            f"{T - day}T00:00:00+08:00",
            "2020-02-29T10:00:00+08:00",
        ],
        "b": [None, True, False, True, False, None, "是", "false"],
        "s": [None, "红", "Green", "Blue", "红", None, "Green", "Blue"],
        "ms": [[], ["a"], ["a", "b"], ["b", "a"], ["a", "b", "c"], ["c"], None, ["b"]],
        "ph": [
            None,
            "13812345678",
            "+86 139 0000 1111",
            "010-12345678",
            "021 87654321",
            None,
            "400-800-1234",
            "13812345679",
        ],
        "em": [
            None,
            "Alice@Example.com",
            "bob@example.org",
            "carol@qq.com",
            None,
            "dave@163.com",
            "o'neil@example.com",
            "eve@EXAMPLE.com",
        ],
        "u": [
            None,
            "https://example.com/a?x=1",
            "www.qiao.cn",
            "http://例子.中国/路径",
            None,
            "HTTPS://Upper.COM/Path",
            "https://example.org/100%25",
            None,
        ],
        "us": [None, A, U1, U2, A, None, U1, A],
        # no departments exist here: tests/api/test_org_filters.py has the real cases
        "dep": [None] * 8,
        "r1": [None, T1, T2, T1, None, T3, T2, T1],
        "rm": [[], [T1], [T1, T2], [T2, T1], [T1, T2, T3], [T3], None, [T2]],
        "ic": [None, ID_A, ID_B.lower(), None, ID_C, ID_D, None, ID_E],
        "ra": [None, 1, 2, 3, 4, 5, None, "3"],
        "rt": [
            None,
            "<p>Hello <b>World</b></p>",
            "<p>100% 真实</p>",
            "<script>alert(1)</script>",  # nothing left: empty
            "<p>a_b</p>",
            None,
            '<p onclick="x()">hello</p>',
            "<h1>标题</h1>",
        ],
        "loc": [
            None,
            PLACES["bj"],
            PLACES["tj"],
            PLACES["sh"],
            None,
            PLACES["gz"],
            PLACES["sz"],
            {"lat": 40.0, "lng": 116.3, "address": "北京海淀"},
        ],
        "sf": [None, [{"q": 1}], [], [{"q": 2}, {"q": 3}], None, [{"q": 5}], None, []],
        "ad": [
            None,
            {"district": "440305", "street": "科技园"},
            {"province": "广东", "city": "广州"},
            {"province": "北京", "district": "朝阳区"},
            None,
            {"province": "44"},
            {"province": "上海", "street": "南京路"},
            {"district_code": "110105"},
        ],
    }
    rows = [
        {
            key: (v.isoformat() if isinstance(v, date) else v)
            for key, v in zip(columns, values, strict=True)
        }
        for values in zip(*columns.values(), strict=True)
    ]
    # the deleted record matches almost every positive case: it must never show up
    rows.append(
        {
            "t": "Alpha trashed",
            "ta": "hello",
            "n": 10,
            "m": "0.30",
            "p": "15.5%",
            "d": T.isoformat(),
            "dt": f"{T}T12:00:00+08:00",
            "b": True,
            "s": "红",
            "ms": ["a", "b"],
            "ph": "13812345678",
            "em": "alice@example.com",
            "u": "www.qiao.cn",
            "us": A,
            "r1": T1,
            "rm": [T1, T2],
            "ic": ID_A,
            "ra": 3,
            "rt": "<p>Hello</p>",
            "loc": PLACES["bj"],
            "ad": {"district": "440305"},
            "sf": [{"q": 9}],
        }
    )
    return rows


def system_values(env: Env) -> dict[str, list[Any]]:
    """System columns of records 0..7, written directly to the table."""
    T = env.today
    day = timedelta(days=1)
    A, U1, U2 = env.admin, env.u1, env.u2
    return {
        "created_at": [
            sh(T - 400 * day, 10),
            sh(T),
            sh(T - day, 23, 59, 59),
            sh(T + day),
            sh(T, 0, 30),
            sh(T - 6 * day, 12),
            sh(T + 6 * day, 8),
            sh(T - 40 * day, 9),
        ],
        "updated_at": [
            sh(T, 9),
            sh(T - day, 8),
            sh(T - day),
            sh(T, 23, 59, 59),
            sh(T - 2 * day, 12),
            sh(T + 2 * day, 1),
            sh(T - 400 * day),
            sh(T, 12),
        ],
        "created_by": [A, A, U1, U1, U2, None, A, U2],
        "updated_by": [U1, A, A, U2, U2, U1, None, A],
        "owner": [None, U1, U1, A, U2, A, A, U2],
    }


# ----- cases --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    filter: Any
    expected: frozenset[int]

    @property
    def pairs(self) -> set[tuple[str, str]]:
        """(field, op) of every leaf."""
        found: set[tuple[str, str]] = set()

        def walk(node: Any) -> None:
            if isinstance(node, dict):
                if "field" in node:
                    found.add((node["field"], node["op"]))
                for child in node.get("and", []) + node.get("or", []):
                    walk(child)
                if "not" in node:
                    walk(node["not"])

        walk(self.filter)
        return found


def leaf(key: str, op: str, value: Any = MISSING) -> dict[str, Any]:
    node: dict[str, Any] = {"field": key, "op": op}
    if value is not MISSING:
        node["value"] = value
    return node


def c(key: str, op: str, value: Any, expected: Iterable[int]) -> Case:
    return Case(leaf(key, op, value), frozenset(expected))


RELATIVE = ("today", "yesterday", "this_week", "this_month", "this_quarter", "this_year")


def in_period(op: str, day: date, today: date, n: int | None) -> bool:
    """An independent oracle for the relative date operators (weeks start on Monday)."""
    if op == "today":
        return day == today
    if op == "yesterday":
        return (today - day).days == 1
    if op == "this_week":
        return day.isocalendar()[:2] == today.isocalendar()[:2]
    if op == "this_month":
        return (day.year, day.month) == (today.year, today.month)
    if op == "this_quarter":
        return day.year == today.year and (day.month - 1) // 3 == (today.month - 1) // 3
    if op == "this_year":
        return day.year == today.year
    assert n is not None
    if op == "last_n_days":
        return 0 <= (today - day).days < n
    if op == "next_n_days":
        return 0 <= (day - today).days < n
    raise AssertionError(op)


def relative_cases(key: str, days: list[date | None], today: date) -> list[Case]:
    """Every relative operator on a date-like field, expectations from the oracle."""
    cases = []
    for op in RELATIVE:
        hit = {i for i, d in enumerate(days) if d is not None and in_period(op, d, today, None)}
        cases.append(c(key, op, MISSING, hit))
    for op in ("last_n_days", "next_n_days"):
        for n in (1, 2, 7, 30):
            hit = {i for i, d in enumerate(days) if d is not None and in_period(op, d, today, n)}
            cases.append(c(key, op, n, hit))
    # each relative operator must match something and miss something, or it proves little
    for case in cases[:6]:
        assert case.expected and case.expected != R, case
    return cases


def system_datetime_cases(key: str, values: list[datetime], today: date) -> list[Case]:
    """Comparisons on a system datetime column; a date-only value is that whole day."""
    local = [v.astimezone(SHANGHAI) for v in values]
    days = [v.date() for v in local]
    T = today
    yday = T - timedelta(days=1)
    noon = sh(T, 12)

    def hit(pred: Callable[[int], bool]) -> set[int]:
        return {i for i in range(8) if pred(i)}

    cases = [
        c(key, "eq", T.isoformat(), hit(lambda i: days[i] == T)),
        c(key, "ne", T.isoformat(), hit(lambda i: days[i] != T)),
        c(key, "gt", T.isoformat(), hit(lambda i: days[i] > T)),
        c(key, "gte", T.isoformat(), hit(lambda i: days[i] >= T)),
        c(key, "lt", T.isoformat(), hit(lambda i: days[i] < T)),
        c(key, "lte", T.isoformat(), hit(lambda i: days[i] <= T)),
        c(key, "gt", noon.isoformat(), hit(lambda i: local[i] > noon)),
        c(key, "lte", noon.isoformat(), hit(lambda i: local[i] <= noon)),
        c(key, "eq", values[3].astimezone(UTC).isoformat(), {3}),
        c(
            key,
            "between",
            [yday.isoformat(), T.isoformat()],
            hit(lambda i: yday <= days[i] <= T),
        ),
        c(key, "is_empty", MISSING, set()),
        c(key, "is_not_empty", MISSING, R),
    ]
    return cases + relative_cases(key, list(days), today)


def system_user_cases(key: str, values: list[int | None], env: Env) -> list[Case]:
    def hit(pred: Callable[[int | None], bool]) -> set[int]:
        return {i for i, v in enumerate(values) if pred(v)}

    A, U1, U2 = env.admin, env.u1, env.u2
    return [
        c(key, "eq", A, hit(lambda v: v == A)),
        c(key, "eq", U1, hit(lambda v: v == U1)),
        c(key, "ne", A, hit(lambda v: v != A)),
        c(key, "in", [U1, U2], hit(lambda v: v in (U1, U2))),
        c(key, "not_in", [A], hit(lambda v: v != A)),
        c(key, "is_empty", MISSING, hit(lambda v: v is None)),
        c(key, "is_not_empty", MISSING, hit(lambda v: v is not None)),
    ]


def build_cases(env: Env) -> list[Case]:
    T = env.today
    day = timedelta(days=1)
    Y = T - day
    A, U1, U2 = env.admin, env.u1, env.u2
    T1, T2, T3 = env.targets
    ids = env.ids
    iso = date.isoformat
    cases = [
        # text: eq is exact, contains/starts_with ignore case, wildcards are literal
        c("t", "eq", "Alpha Corp", {1}),
        c("t", "eq", "alpha corp", set()),
        c("t", "eq", INJECTION, {6}),
        c("t", "ne", "Alpha Corp", R - {1}),
        c("t", "in", ["Alpha Corp", "北京华为"], {1, 7}),
        c("t", "in", [INJECTION, "%"], {6}),
        c("t", "not_in", ["Alpha Corp", "北京华为"], R - {1, 7}),
        c("t", "contains", "ALPHA", {1, 2}),
        c("t", "contains", "%", {3}),
        c("t", "contains", "_", {4, 6}),  # qiao_users
        c("t", "contains", "\\", {4}),
        c("t", "contains", "/", {4}),
        c("t", "contains", "'", {5, 6}),
        c("t", "contains", '"', {5}),
        c("t", "contains", "真实", {3}),
        c("t", "contains", "drop table", {6}),
        c("t", "contains", INJECTION, {6}),
        c("t", "not_contains", "alpha", {0, 3, 4, 5, 6, 7}),
        c("t", "not_contains", "%", R - {3}),
        c("t", "starts_with", "AL", {1, 2}),
        c("t", "starts_with", "a_", {4}),  # "_" is not "any character": alpha… must not match
        c("t", "starts_with", "%", set()),
        c("t", "starts_with", "100%", {3}),
        c("t", "starts_with", "北京", {7}),
        c("t", "is_empty", MISSING, {0}),
        c("t", "is_empty", None, {0}),
        c("t", "is_not_empty", MISSING, R - {0}),
        # textarea
        c("ta", "eq", "x", {7}),
        c("ta", "ne", "x", R - {7}),
        c("ta", "in", ["x", "hello 😀"], {5, 7}),
        c("ta", "not_in", ["x"], R - {7}),
        c("ta", "contains", "world", {2}),
        c("ta", "contains", "😀", {5}),
        c("ta", "contains", "行\n第", {1}),
        c("ta", "contains", "%", {4}),
        c("ta", "contains", "f_", {4}),
        c("ta", "not_contains", "hello", {0, 1, 3, 4, 6, 7}),
        c("ta", "starts_with", "HELLO", {2, 5}),
        c("ta", "is_empty", MISSING, {0, 3, 6}),
        c("ta", "is_not_empty", MISSING, {1, 2, 4, 5, 7}),
        # number (precision 2)
        c("n", "eq", 10, {2, 7}),
        c("n", "eq", "10.50", {3}),
        c("n", "eq", 0, {1}),
        c("n", "ne", 10, {0, 1, 3, 4, 5, 6}),
        c("n", "gt", 10, {3, 5}),
        c("n", "gt", "1e2", {5}),
        c("n", "gte", 10, {2, 3, 5, 7}),
        c("n", "lt", 0, {4}),
        c("n", "lte", 0, {1, 4}),
        c("n", "between", [0, 10], {1, 2, 6, 7}),
        c("n", "between", ["2.25", "10.5"], {2, 3, 6, 7}),
        c("n", "in", [0, 1000], {1, 5}),
        c("n", "not_in", [0, 1000], {0, 2, 3, 4, 6, 7}),
        c("n", "is_empty", MISSING, {0}),
        c("n", "is_not_empty", MISSING, R - {0}),
        # money: exact decimals, 0.1 + 0.2 artefacts impossible
        c("m", "eq", "0.3", {4}),
        c("m", "eq", 0.3, {4}),
        c("m", "eq", "99,999,999.99", {6}),
        c("m", "ne", "0.30", R - {4}),
        c("m", "gt", 0, {1, 2, 3, 4, 6}),
        c("m", "gte", "0.2", {1, 3, 4, 6}),
        c("m", "lt", "0.2", {2, 7}),
        c("m", "lte", "0.2", {2, 3, 7}),
        c("m", "between", ["0.1", "0.3"], {2, 3, 4}),
        c("m", "in", ["0.10", "-5"], {2, 7}),
        c("m", "not_in", ["0.10", "-5"], {0, 1, 3, 4, 5, 6}),
        c("m", "is_empty", MISSING, {0, 5}),
        c("m", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # percent: the fraction or "n%"
        c("p", "eq", 0.155, {1, 2}),
        c("p", "eq", "15.5%", {1, 2}),
        c("p", "ne", "15.5%", {0, 3, 4, 5, 6, 7}),
        c("p", "gt", 0.5, {3}),
        c("p", "gte", "50%", {3, 7}),
        c("p", "lt", 0, {6}),
        c("p", "lte", 0, {4, 6}),
        c("p", "between", [0, "50%"], {1, 2, 4, 7}),
        c("p", "in", [1, 0], {3, 4}),
        c("p", "not_in", [1, 0], {0, 1, 2, 5, 6, 7}),
        c("p", "is_empty", MISSING, {0, 5}),
        c("p", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # date
        c("d", "eq", iso(T), {1}),
        c("d", "ne", iso(T), R - {1}),
        c("d", "gt", iso(T), {3, 5}),
        c("d", "gte", iso(T), {1, 3, 5}),
        c("d", "lt", iso(T - 6 * day), {6, 7}),
        c("d", "lte", iso(T - 6 * day), {4, 6, 7}),
        c("d", "between", [iso(T - 6 * day), iso(T)], {1, 2, 4}),
        c("d", "is_empty", MISSING, {0}),
        c("d", "is_not_empty", MISSING, R - {0}),
        c("d", "today", MISSING, {1}),
        c("d", "yesterday", MISSING, {2}),
        c("d", "last_n_days", 7, {1, 2, 4}),
        c("d", "last_n_days", 1, {1}),
        c("d", "next_n_days", 7, {1, 3, 5}),
        c("d", "next_n_days", 2, {1, 3}),
        # datetime: a date-only value is that whole day in Shanghai
        c("dt", "eq", iso(T), {1, 4, 5}),
        c("dt", "eq", f"{T}T12:00:00+08:00", {5}),
        c("dt", "eq", f"{T}T04:00:00Z", {5}),
        c("dt", "eq", f"{T}T12:00:00", {5}),  # no offset: Shanghai time
        c("dt", "eq", "2020-02-29", {7}),
        c("dt", "ne", iso(T), {0, 2, 3, 6, 7}),
        c("dt", "gt", iso(T), {3}),
        c("dt", "gt", f"{T}T00:00:00+08:00", {3, 4, 5}),
        c("dt", "gte", iso(T), {1, 3, 4, 5}),
        c("dt", "lt", iso(T), {2, 6, 7}),
        c("dt", "lt", "2020-03-01", {7}),
        c("dt", "lte", iso(T), {1, 2, 4, 5, 6, 7}),
        c("dt", "between", [iso(Y), iso(T)], {1, 2, 4, 5, 6}),
        c("dt", "between", [f"{Y}T23:59:59+08:00", f"{T}T00:00:00+08:00"], {1, 2}),
        c("dt", "is_empty", MISSING, {0}),
        c("dt", "is_not_empty", MISSING, R - {0}),
        c("dt", "today", MISSING, {1, 4, 5}),
        c("dt", "yesterday", MISSING, {2, 6}),
        c("dt", "last_n_days", 2, {1, 2, 4, 5, 6}),
        c("dt", "next_n_days", 2, {1, 3, 4, 5}),
        c("dt", "next_n_days", 1, {1, 4, 5}),
        # boolean
        c("b", "eq", True, {1, 3, 6}),
        c("b", "eq", False, {2, 4, 7}),
        c("b", "eq", "是", {1, 3, 6}),
        c("b", "ne", True, {0, 2, 4, 5, 7}),
        c("b", "ne", False, {0, 1, 3, 5, 6}),
        c("b", "is_empty", MISSING, {0, 5}),
        c("b", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # select
        c("s", "eq", "红", {1, 4}),
        c("s", "ne", "红", {0, 2, 3, 5, 6, 7}),
        c("s", "in", ["Green", "Blue"], {2, 3, 6, 7}),
        c("s", "not_in", ["红", "Green"], {0, 3, 5, 7}),
        c("s", "is_empty", MISSING, {0, 5}),
        c("s", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # multiselect: contains = has all, in = has any, eq = exactly this set
        c("ms", "contains", "a", {1, 2, 3, 4}),
        c("ms", "contains", ["a", "b"], {2, 3, 4}),
        c("ms", "contains", ["a", "c"], {4}),
        c("ms", "contains", ["a", "a"], {1, 2, 3, 4}),
        c("ms", "not_contains", "a", {0, 5, 6, 7}),
        c("ms", "not_contains", ["a", "c"], {0, 6, 7}),  # has none of them
        c("ms", "in", ["b", "c"], {2, 3, 4, 5, 7}),
        c("ms", "not_in", ["b", "c"], {0, 1, 6}),
        c("ms", "eq", ["a", "b"], {2, 3}),
        c("ms", "eq", ["b", "a"], {2, 3}),
        c("ms", "eq", ["a"], {1}),
        c("ms", "ne", ["a", "b"], {0, 1, 4, 5, 6, 7}),
        c("ms", "is_empty", MISSING, {0, 6}),
        c("ms", "is_not_empty", MISSING, {1, 2, 3, 4, 5, 7}),
        # phone: whole values are normalised before comparing, fragments are not
        c("ph", "eq", "+86 138 1234 5678", {1}),
        c("ph", "eq", "13812345678", {1}),
        c("ph", "ne", "13812345678", R - {1}),
        c("ph", "in", ["010 1234 5678", "13812345679"], {3, 7}),
        c("ph", "not_in", ["010 1234 5678", "13812345679"], R - {3, 7}),
        c("ph", "contains", "1234", {1, 3, 6, 7}),
        c("ph", "not_contains", "138", {0, 2, 3, 4, 5, 6}),
        c("ph", "starts_with", "138", {1, 7}),
        c("ph", "starts_with", "0", {3, 4}),
        c("ph", "is_empty", MISSING, {0, 5}),
        c("ph", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # email (stored in lower case)
        c("em", "eq", "ALICE@example.com", {1}),
        c("em", "ne", "alice@example.com", R - {1}),
        c("em", "in", ["bob@example.org", "carol@qq.com"], {2, 3}),
        c("em", "not_in", ["bob@example.org", "carol@qq.com"], R - {2, 3}),
        c("em", "contains", "EXAMPLE.COM", {1, 6, 7}),
        c("em", "contains", "'", {6}),
        c("em", "not_contains", "example", {0, 3, 4, 5}),
        c("em", "starts_with", "o'", {6}),
        c("em", "is_empty", MISSING, {0, 4}),
        c("em", "is_not_empty", MISSING, {1, 2, 3, 5, 6, 7}),
        # url
        c("u", "eq", "www.qiao.cn", {2}),
        c("u", "eq", "https://www.qiao.cn", {2}),
        c("u", "ne", "www.qiao.cn", R - {2}),
        c("u", "in", ["https://example.com/a?x=1", "http://例子.中国/路径"], {1, 3}),
        c("u", "not_in", ["https://example.com/a?x=1", "http://例子.中国/路径"], R - {1, 3}),
        c("u", "contains", "example", {1, 6}),
        c("u", "contains", "%25", {6}),
        c("u", "contains", "?", {1}),
        c("u", "contains", "例子", {3}),
        c("u", "not_contains", "https", {0, 3, 4, 7}),
        c("u", "starts_with", "https://", {1, 2, 5, 6}),
        c("u", "starts_with", "http://", {3}),
        c("u", "is_empty", MISSING, {0, 4, 7}),
        c("u", "is_not_empty", MISSING, {1, 2, 3, 5, 6}),
        # user
        c("us", "eq", A, {1, 4, 7}),
        c("us", "eq", str(A), {1, 4, 7}),
        c("us", "eq", 999999, set()),
        c("us", "ne", A, {0, 2, 3, 5, 6}),
        c("us", "in", [U1, U2], {2, 3, 6}),
        c("us", "not_in", [U1], {0, 1, 3, 4, 5, 7}),
        c("us", "is_empty", MISSING, {0, 5}),
        c("us", "is_not_empty", MISSING, {1, 2, 3, 4, 6, 7}),
        # department (all empty here; see test_org_filters.py)
        c("dep", "eq", 999999, set()),
        c("dep", "ne", 999999, R),
        c("dep", "in", [999999], set()),
        c("dep", "not_in", [999999], R),
        c("dep", "eq", "$my_department", set()),
        c("dep", "is_empty", MISSING, R),
        c("dep", "is_not_empty", MISSING, set()),
        # autonumber: NO-0001 … NO-0008 in creation order, NO-0009 is in the recycle bin
        c("an", "eq", "NO-0003", {2}),
        c("an", "ne", "NO-0003", R - {2}),
        c("an", "in", ["NO-0001", "NO-0008", "NO-0009"], {0, 7}),
        c("an", "not_in", ["NO-0001", "NO-0008"], R - {0, 7}),
        c("an", "contains", "000", R),
        c("an", "contains", "0005", {4}),
        c("an", "not_contains", "0001", R - {0}),
        c("an", "starts_with", "no-", R),
        c("an", "starts_with", "NO-0009", set()),
        c("an", "is_empty", MISSING, set()),
        c("an", "is_not_empty", MISSING, R),
        # relation, single
        c("r1", "eq", T1, {1, 3, 7}),
        c("r1", "ne", T1, {0, 2, 4, 5, 6}),
        c("r1", "in", [T2, T3], {2, 5, 6}),
        c("r1", "not_in", [T2], {0, 1, 3, 4, 5, 7}),
        c("r1", "is_empty", MISSING, {0, 4}),
        c("r1", "is_not_empty", MISSING, {1, 2, 3, 5, 6, 7}),
        # relation, multiple (same semantics as multiselect)
        c("rm", "contains", T1, {1, 2, 3, 4}),
        c("rm", "contains", [T1, T2], {2, 3, 4}),
        c("rm", "not_contains", T1, {0, 5, 6, 7}),
        c("rm", "in", [T2, T3], {2, 3, 4, 5, 7}),
        c("rm", "not_in", [T2, T3], {0, 1, 6}),
        c("rm", "eq", [T2, T1], {2, 3}),
        c("rm", "eq", [T1], {1}),
        c("rm", "ne", [T1, T2], {0, 1, 4, 5, 6, 7}),
        c("rm", "is_empty", MISSING, {0, 6}),
        c("rm", "is_not_empty", MISSING, {1, 2, 3, 4, 5, 7}),
        # idcard: stored upper-case, compared in its normalised form
        c("ic", "eq", ID_B.lower(), {2}),
        c("ic", "eq", "110105 19800101 0016", {1}),
        c("ic", "ne", ID_A, R - {1}),
        c("ic", "in", [ID_A, ID_C], {1, 4}),
        c("ic", "not_in", [ID_A, ID_C], R - {1, 4}),
        c("ic", "starts_with", "110105", {1, 2}),
        c("ic", "starts_with", "4403051975", {7}),
        c("ic", "is_empty", MISSING, {0, 3, 6}),
        c("ic", "is_not_empty", MISSING, {1, 2, 4, 5, 7}),
        # rating
        c("ra", "eq", 3, {3, 7}),
        c("ra", "ne", 3, R - {3, 7}),
        c("ra", "gt", 3, {4, 5}),
        c("ra", "gte", 3, {3, 4, 5, 7}),
        c("ra", "lt", 2, {1}),
        c("ra", "lte", 2, {1, 2}),
        c("ra", "between", [2, 4], {2, 3, 4, 7}),
        c("ra", "in", [1, 5], {1, 5}),
        c("ra", "not_in", [1, 5], R - {1, 5}),
        c("ra", "is_empty", MISSING, {0, 6}),
        c("ra", "is_not_empty", MISSING, R - {0, 6}),
        # richtext: text search in the sanitised HTML, wildcards literal
        c("rt", "contains", "hello", {1, 6}),
        c("rt", "contains", "%", {2}),
        c("rt", "contains", "_", {4}),
        c("rt", "contains", "onclick", set()),
        c("rt", "not_contains", "hello", R - {1, 6}),
        c("rt", "is_empty", MISSING, {0, 3, 5}),
        c("rt", "is_not_empty", MISSING, {1, 2, 4, 6, 7}),
        # location: distance from Beijing and from Guangzhou
        c("loc", "within_km", PLACES["bj"] | {"km": 50}, {1, 7}),
        c("loc", "within_km", PLACES["bj"] | {"km": 120}, {1, 2, 7}),
        c("loc", "within_km", PLACES["bj"] | {"km": 1100}, {1, 2, 3, 7}),
        c("loc", "within_km", PLACES["gz"] | {"km": 110}, {5, 6}),
        c("loc", "within_km", PLACES["gz"] | {"km": 100}, {5}),
        c("loc", "is_empty", MISSING, {0, 4}),
        c("loc", "is_not_empty", MISSING, R - {0, 4}),
        # address: by the code at a level, given as code or name
        c("ad", "eq", {"province": "44"}, {1, 2, 5}),
        c("ad", "eq", {"city": "广州市"}, {2}),
        c("ad", "eq", {"province": "北京", "district": "朝阳"}, {3, 7}),
        c("ad", "ne", {"province": "广东"}, {0, 3, 4, 6, 7}),
        c("ad", "in", ["310000", {"district": "440305"}], {1, 6}),
        c("ad", "not_in", ["44", "11"], {0, 4, 6}),
        c("ad", "is_empty", MISSING, {0, 4}),
        c("ad", "is_not_empty", MISSING, R - {0, 4}),
        # sub-form: rows or none, and a condition some row meets
        c("sf", "is_empty", MISSING, {0, 2, 4, 6, 7}),
        c("sf", "is_not_empty", MISSING, {1, 3, 5}),
        # computed fields filter like their result kind: formula n * 2 (blank n is 0),
        # lookup of r1's name, rollup count of rm
        c("fx", "eq", 20, {2, 7}),
        c("fx", "eq", "4.5", {6}),
        c("fx", "ne", 20, R - {2, 7}),
        c("fx", "gt", 21, {5}),
        c("fx", "gte", 21, {3, 5}),
        c("fx", "lt", 0, {4}),
        c("fx", "lte", 0, {0, 1, 4}),
        c("fx", "between", [4, 20], {2, 6, 7}),
        c("fx", "in", [0, 2000], {0, 1, 5}),
        c("fx", "not_in", [0], R - {0, 1}),
        c("fx", "is_empty", MISSING, set()),
        c("fx", "is_not_empty", MISSING, R),
        c("lk", "eq", "公司0", {1, 3, 7}),
        c("lk", "ne", "公司0", R - {1, 3, 7}),
        c("lk", "in", ["公司1", "公司2"], {2, 5, 6}),
        c("lk", "not_in", ["公司0"], R - {1, 3, 7}),
        c("lk", "contains", "司2", {5}),
        c("lk", "not_contains", "司0", R - {1, 3, 7}),
        c("lk", "starts_with", "公司1", {2, 6}),
        c("lk", "is_empty", MISSING, {0, 4}),
        c("lk", "is_not_empty", MISSING, R - {0, 4}),
        c("ru", "eq", 2, {2, 3}),
        c("ru", "ne", 2, R - {2, 3}),
        c("ru", "gt", 1, {2, 3, 4}),
        c("ru", "gte", 2, {2, 3, 4}),
        c("ru", "lt", 1, {0, 6}),
        c("ru", "lte", 1, {0, 1, 5, 6, 7}),
        c("ru", "between", [1, 2], {1, 2, 3, 5, 7}),
        c("ru", "in", [0, 3], {0, 4, 6}),
        c("ru", "not_in", [1], R - {1, 5, 7}),
        c("ru", "is_empty", MISSING, set()),
        c("ru", "is_not_empty", MISSING, R),
        c("sf.q", "gte", 3, {3, 5}),
        c("sf.q", "eq", 1, {1}),
        *(
            case
            for key, on in FILES_ON.items()
            for case in (
                c(key, "is_empty", MISSING, R - set(on)),
                c(key, "is_not_empty", MISSING, set(on)),
            )
        ),
        # record id
        c("id", "eq", ids[3], {3}),
        c("id", "eq", str(ids[3]), {3}),
        c("id", "eq", ids[TRASHED], set()),
        c("id", "ne", ids[3], R - {3}),
        c("id", "gt", ids[5], {6, 7}),
        c("id", "gte", ids[5], {5, 6, 7}),
        c("id", "lt", ids[2], {0, 1}),
        c("id", "lte", ids[2], {0, 1, 2}),
        c("id", "between", [ids[2], ids[4]], {2, 3, 4}),
        c("id", "in", [ids[0], ids[7], ids[TRASHED]], {0, 7}),
        c("id", "not_in", [ids[0], ids[7]], R - {0, 7}),
    ]
    cases += relative_cases("d", [None] + [date.fromisoformat(v) for v in day_column(env)], T)
    dt_days = [None, T, Y, T + day, T, T, Y, date(2020, 2, 29)]
    cases += relative_cases("dt", dt_days, T)
    system = system_values(env)
    cases += system_datetime_cases("created_at", system["created_at"], T)
    cases += system_datetime_cases("updated_at", system["updated_at"], T)
    for key in ("created_by", "updated_by", "owner"):
        cases += system_user_cases(key, system[key], env)
    cases += nested_cases(env)
    return cases


def day_column(env: Env) -> list[str]:
    return [str(row["d"]) for row in record_data(env)[1:8]]


def nested_cases(env: Env) -> list[Case]:
    return [
        Case({"and": [leaf("n", "gte", 0), leaf("s", "in", ["Green", "Blue"])]}, R & {2, 3, 6, 7}),
        Case(
            {"or": [leaf("b", "eq", True), leaf("ms", "contains", "c")]}, frozenset({1, 3, 4, 5, 6})
        ),
        # "not" is the complement: records whose value is empty are kept
        Case({"not": leaf("t", "contains", "alpha")}, frozenset({0, 3, 4, 5, 6, 7})),
        Case({"not": leaf("n", "eq", 10)}, frozenset({0, 1, 3, 4, 5, 6})),
        Case({"not": {"not": leaf("t", "contains", "alpha")}}, frozenset({1, 2})),
        Case(
            {"not": {"and": [leaf("n", "gt", 0), leaf("b", "eq", True)]}},
            frozenset({0, 1, 2, 4, 5, 7}),
        ),
        Case({"not": leaf("ms", "contains", "a")}, frozenset({0, 5, 6, 7})),
        Case(
            {
                "or": [
                    {"and": [leaf("s", "eq", "红"), leaf("b", "eq", True)]},
                    {"not": leaf("ms", "is_not_empty")},
                ]
            },
            frozenset({0, 1, 6}),
        ),
        Case(
            {
                "and": [
                    leaf("rm", "in", [env.targets[0]]),
                    {"or": [leaf("us", "eq", env.admin), leaf("d", "lt", env.today.isoformat())]},
                    {"not": leaf("em", "contains", "example")},
                ]
            },
            frozenset({4}),
        ),
        Case({"and": []}, R),
        Case({"or": []}, R),  # an empty group is no condition
        Case({"and": [{"and": [{"and": [leaf("t", "is_not_empty")]}]}]}, R - {0}),
    ]


# ----- fixtures -----------------------------------------------------------------------------
@dataclass
class Dataset:
    api: Api
    form_id: int
    env: Env

    def ids_of(self, indexes: Iterable[int]) -> set[int]:
        return {self.env.ids[i] for i in indexes}

    def query(self, filter_: Any, **params: Any) -> Any:
        params = {"limit": 500, "fields": "t", **params}
        if filter_ is not None:
            params["filter"] = json.dumps(filter_, ensure_ascii=False)
        return self.api.get(f"/forms/{self.form_id}/records", params=params)


def make_users(rt: Runtime) -> tuple[int, int]:
    u1 = rt.db.write(lambda conn: users.create_user(conn, "u1", "user-pass-1"))
    u2 = rt.db.write(lambda conn: users.create_user(conn, "u2", "user-pass-1"))
    return u1.id, u2.id


def build_dataset(api: Api, rt: Runtime, admin: users.User) -> Dataset:
    u1, u2 = make_users(rt)
    app_id = api.make_app()["id"]
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "公司", app_id)
    targets = [api.create(target["id"], {"name": f"公司{i}"})["id"] for i in range(3)]
    env = Env(shanghai_today(), admin.id, u1, u2, targets)
    form = api.make_form(all_fields(target["id"]), "全类型", app_id)
    files = file_values(api, form["id"])
    for index, data in enumerate(record_data(env)):
        env.ids.append(api.create(form["id"], {**data, **files.get(index, {})})["id"])
    assert env.ids == sorted(env.ids)
    table = sa.table(
        f"qf_{form['id']}",
        sa.column("id"),
        sa.column("created_at", UTCDateTime()),
        sa.column("updated_at", UTCDateTime()),
        sa.column("created_by"),
        sa.column("updated_by"),
        sa.column("owner"),
    )
    system = system_values(env)

    def write(conn: Any) -> None:
        for i in range(8):
            values = {key: column[i] for key, column in system.items()}
            conn.execute(sa.update(table).where(table.c.id == env.ids[i]).values(values))

    rt.db.write(write)
    api.ok(api.delete(f"/forms/{form['id']}/records/{env.ids[TRASHED]}"), 204)
    return Dataset(api, form["id"], env)


# ----- the table ----------------------------------------------------------------------------
def test_every_operator_on_every_type(api: Api, rt: Runtime, admin: users.User) -> None:
    ds = build_dataset(api, rt, admin)
    cases = build_cases(ds.env)
    failures = []
    for case in cases:
        response = ds.query(case.filter)
        if response.status_code != 200:
            failures.append(f"{case.filter}: HTTP {response.status_code} {response.text}")
            continue
        body = response.json()
        got = [item["id"] for item in body["items"]]
        expected = ds.ids_of(case.expected)
        if len(got) != len(set(got)) or set(got) != expected or body["total"] != len(expected):
            names = {rid: i for i, rid in enumerate(ds.env.ids)}
            failures.append(
                f"{json.dumps(case.filter, ensure_ascii=False)}: expected records "
                f"{sorted(case.expected)}, got {sorted(names[g] for g in got)} "
                f"(total {body['total']})"
            )
    if shanghai_today() != ds.env.today:
        pytest.skip("the date changed in Shanghai while the test ran")
    assert not failures, "\n".join(failures)


def _spec_meta(spec: dict[str, Any]) -> FieldMeta:
    ftype = registry.get(spec["type"])
    return FieldMeta(
        id=1,
        form_id=1,
        key=spec["key"],
        label=spec["label"],
        type=spec["type"],
        settings=ftype.parse_settings(spec.get("settings", {})),
        column_name="c_1",
    )


def test_the_table_covers_every_operator_of_every_type() -> None:
    """Fails when a type gains an operator (or a type is added) without a case above."""
    env = Env(date(2024, 3, 6), 1, 2, 3, [1, 2, 3], list(range(1, 10)))
    covered: set[tuple[str, str]] = set()
    for case in build_cases(env):
        covered |= case.pairs
    specs = all_fields(1)
    metas = [_spec_meta(spec) for spec in specs]
    metas += list(system_fields(1).values())
    missing = [
        f"{fm.key} ({fm.type}): {op}"
        for fm in metas
        for op in fm.ftype.operators_for(fm)
        if (fm.key, op) not in covered
    ]
    assert not missing, "operators without a filter case:\n" + "\n".join(missing)
    # every public type is in the form, relations both single and multiple
    assert {t.key for t in registry.public()} <= {s["type"] for s in specs}
    relation_modes = {fm.ftype.storage(fm).value for fm in metas if fm.type == "relation"}
    assert relation_modes == {"column", "junction"}
    # the system fields are all there, and the id type is the internal one
    assert set(SYSTEM_FIELDS) <= {fm.key for fm in metas}
    # what a type advertises is what its fields accept
    for ftype in registry.all():
        of_type = [fm for fm in metas if fm.type == ftype.key]
        assert of_type, ftype.key
        accepted = set().union(*(fm.ftype.operators_for(fm) for fm in of_type))
        assert set(ftype.operators) <= accepted, ftype.key
    # and every operator used by a type exists: a shared one, or the type's own, whose
    # operand shape the type gives (e.g. location's within_km with {lat, lng, km})
    unknown = {
        (fm.type, op)
        for fm in metas
        for op in fm.ftype.operators_for(fm)
        if op not in operators and fm.ftype.arity_for(fm, op) is None
    }
    assert not unknown


def test_field_types_api_lists_only_tested_operators(api: Api) -> None:
    env = Env(date(2024, 3, 6), 1, 2, 3, [1, 2, 3], list(range(1, 10)))
    covered_by_type: dict[str, set[str]] = {}
    types = {s["key"]: s["type"] for s in all_fields(1)}
    for case in build_cases(env):
        for key, op in case.pairs:
            if key in types:
                covered_by_type.setdefault(types[key], set()).add(op)
    listed = api.ok(api.get("/field-types"))["items"]
    assert {item["type"] for item in listed} == {t.key for t in registry.public()}
    for item in listed:
        ops = {o["op"] for o in item["operators"]}
        assert ops, item["type"]
        assert ops <= covered_by_type[item["type"]], item["type"]
        for entry in item["operators"]:
            assert entry["arity"] in (
                "none", "one", "list", "pair", "days", "one_or_list", "object",
            )  # fmt: skip


# ----- injection ----------------------------------------------------------------------------
NASTY = [
    INJECTION,
    "' OR '1'='1",
    "%",
    "_",
    "\\",
    "'",
    '"',
    "%%",
    "a%",
    "_b",
    "\\%",
    "/",
    "/%",
    "[a]",
    "*",
    "?",
    "%(x)s",
    ":name",
    "$1",
    "{}",
    "北京",
    "😀",
    "Robert'); DELETE FROM qiao_users; --",
]
NASTY_TEXTS = [
    "100%",
    "50% off",
    "a_b",
    "ab",
    "back\\slash",
    "O'Brien",
    'say "hi"',
    INJECTION,
    "path/to/x",
    "北京华为",
    "emoji 😀 here",
    "[a]*?",
    "%(x)s and :name $1 {}",
    "/%",
    None,
    "plain",
]


def _oracle(op: str, needle: str, stored: str | None) -> bool:
    if op == "contains":
        return stored is not None and needle.lower() in stored.lower()
    if op == "not_contains":
        return stored is None or needle.lower() not in stored.lower()
    if op == "starts_with":
        return stored is not None and stored.lower().startswith(needle.lower())
    if op == "eq":
        return stored == needle
    if op == "ne":
        return stored != needle
    if op == "in":
        return stored in (needle, "plain")
    if op == "not_in":
        return stored not in (needle, "plain")
    raise AssertionError(op)


def test_values_that_try_sql_injection_match_literally(
    api: Api, rt: Runtime, engine_name: str
) -> None:
    form = api.make_form(
        [
            {"key": "t", "label": "文本", "type": "text"},
            {"key": "ta", "label": "多行文本", "type": "textarea"},
            {"key": "ph", "label": "电话", "type": "phone"},
            {"key": "em", "label": "邮箱", "type": "email"},
            {"key": "u", "label": "网址", "type": "url"},
            {"key": "an", "label": "编号", "type": "autonumber"},
        ]
    )
    fid = form["id"]
    stored: dict[int, dict[str, Any]] = {}
    for i, text in enumerate(NASTY_TEXTS):
        other = NASTY_TEXTS[(i + 3) % len(NASTY_TEXTS)]
        data = {
            "t": text,
            "ta": None if other is None else f"{other}\n第二行",
            "ph": f"1381234{i:04d}",
            "em": f"user{i}@example.com",
            "u": f"https://example.com/{i}?q=%25",
        }
        record = api.create(fid, data)
        stored[record["id"]] = record["data"]
    failures = []
    for key in ("t", "ta", "ph", "em", "u", "an"):
        ops = ["contains", "not_contains", "starts_with"]
        if key in ("t", "ta"):
            ops += ["eq", "ne", "in", "not_in"]
        for op in ops:
            for needle in NASTY:
                value: Any = [needle, "plain"] if op in ("in", "not_in") else needle
                flt = json.dumps({"field": key, "op": op, "value": value}, ensure_ascii=False)
                response = api.get(f"/forms/{fid}/records", params={"filter": flt, "limit": 500})
                if response.status_code != 200:
                    failures.append(f"{key} {op} {needle!r}: HTTP {response.status_code}")
                    continue
                got = {item["id"] for item in response.json()["items"]}
                want = {rid for rid, data in stored.items() if _oracle(op, needle, data[key])}
                if got != want:
                    failures.append(f"{key} {op} {needle!r}: {sorted(got)} != {sorted(want)}")
    assert not failures, "\n".join(failures)
    # whole values of validated types are checked, not run: 400, never 500
    for key in ("ph", "em", "u"):
        response = api.get(
            f"/forms/{fid}/records",
            params={"filter": json.dumps({"field": key, "op": "eq", "value": INJECTION})},
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["code"] == "invalid_filter"
    # injection through the other parameters
    for params in (
        {"sort": "t;DROP TABLE qiao_users"},
        {"fields": 't,"x"; DROP TABLE qiao_users; --'},
        {"filter": json.dumps({"field": 't"; DROP TABLE qiao_users; --', "op": "eq", "value": 1})},
        {"filter": json.dumps({"field": "t", "op": "eq; DROP TABLE qiao_users", "value": 1})},
    ):
        response = api.get(f"/forms/{fid}/records", params=params)
        assert 400 <= response.status_code < 500, (params, response.text)
    for q in (INJECTION, "%", "_", "\\", "'", "%(x)s", "😀"):
        got = {item["id"] for item in api.list(fid, q=q, limit=500)["items"]}
        want = {
            rid
            for rid, data in stored.items()
            if any(_oracle("contains", q, data[k]) for k in ("t", "ta", "ph", "em", "u", "an"))
        }
        assert got == want, q
        assert want, q
    # a NUL cannot be stored or compared by PostgreSQL: refused, on both engines
    response = api.get(
        f"/forms/{fid}/records",
        params={"filter": json.dumps({"field": "t", "op": "contains", "value": "a\x00b"})},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"][0]["code"] == "text_nul"
    assert api.get(f"/forms/{fid}/records", params={"q": "a\x00b"}).status_code == 200
    # everything is still there
    with rt.db.read() as conn:
        names = set(sa.inspect(conn).get_table_names())
        assert {"qiao_users", f"qf_{fid}"} <= names
        assert conn.execute(sa.text("SELECT count(*) FROM qiao_users")).scalar_one() == 1
    assert api.list(fid)["total"] == len(NASTY_TEXTS)
    assert api.ok(api.get("/auth/me"))["user"]["username"] == "admin"


# ----- errors ---------------------------------------------------------------------------------
def _nest(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = leaf("t", "is_empty")
    for _ in range(levels):
        node = {"not": node}
    return node


ERRORS: list[tuple[Any, str, str]] = [
    # (filter, detail field, detail code)
    (leaf("nope", "eq", 1), "filter.field", "filter_unknown_field"),
    (
        {"and": [leaf("t", "is_empty"), leaf("nope", "eq", 1)]},
        "filter.and[1].field",
        "filter_unknown_field",
    ),
    (leaf(5, "eq", 1), "filter.field", "filter_unknown_field"),  # type: ignore[arg-type]
    (leaf("version", "eq", 1), "filter.field", "filter_unknown_field"),
    (leaf("deleted_at", "is_empty"), "filter.field", "filter_unknown_field"),
    (leaf("t", "gt", "a"), "t", "filter_unsupported_op"),
    (leaf("t", "EQ", "a"), "t", "filter_unsupported_op"),
    (leaf("t", 5, "a"), "t", "filter_unsupported_op"),  # type: ignore[arg-type]
    (leaf("t", "eq"), "t", "filter_value_required"),
    (leaf("t", "eq", None), "t", "filter_value_required"),
    (leaf("t", "eq", ["a"]), "t", "filter_value_required"),
    (leaf("t", "eq", {"a": 1}), "t", "filter_value_required"),
    (leaf("t", "contains", "   "), "t", "filter_value_required"),
    (leaf("n", "gt"), "n", "filter_value_required"),
    (leaf("t", "is_empty", "x"), "t", "filter_value_forbidden"),
    (leaf("ms", "is_not_empty", []), "ms", "filter_value_forbidden"),
    (leaf("d", "today", "2024-01-01"), "d", "filter_value_forbidden"),
    (leaf("s", "in", "红"), "s", "filter_value_list"),
    (leaf("s", "in", []), "s", "filter_value_list"),
    (leaf("n", "not_in", [1, None]), "n", "filter_value_list"),
    (leaf("n", "in", list(range(1001))), "n", "filter_value_list"),
    (leaf("ms", "eq", "a"), "ms", "filter_value_list"),
    (leaf("n", "between", [1]), "n", "filter_value_pair"),
    (leaf("n", "between", [1, 2, 3]), "n", "filter_value_pair"),
    (leaf("n", "between", 5), "n", "filter_value_pair"),
    (leaf("d", "between", ["2024-01-01", None]), "d", "filter_value_pair"),
    (leaf("d", "last_n_days", 0), "d", "filter_value_days"),
    (leaf("d", "last_n_days", -1), "d", "filter_value_days"),
    (leaf("d", "last_n_days", "7"), "d", "filter_value_days"),
    (leaf("d", "last_n_days", 3651), "d", "filter_value_days"),
    (leaf("d", "last_n_days", True), "d", "filter_value_days"),
    (leaf("d", "last_n_days", 1.5), "d", "filter_value_days"),
    (leaf("dt", "next_n_days"), "dt", "filter_value_days"),
    (leaf("n", "eq", "abc"), "n", "not_number"),
    (leaf("m", "gt", "1.2.3"), "m", "not_number"),
    (leaf("p", "eq", "abc%"), "p", "not_number"),
    (leaf("n", "between", [1, "x"]), "n", "not_number"),
    (leaf("n", "eq", True), "n", "not_number"),
    (leaf("s", "eq", "紫"), "s", "invalid_choice"),
    (leaf("s", "in", ["红", "紫"]), "s", "invalid_choice"),
    (leaf("ms", "contains", "z"), "ms", "invalid_choice"),
    (leaf("ms", "eq", ["a", "z"]), "ms", "invalid_choice"),
    (leaf("d", "eq", "2024-13-01"), "d", "invalid_date"),
    (leaf("d", "eq", 20240101), "d", "invalid_date"),
    (leaf("dt", "eq", "2024-13-01"), "dt", "invalid_date"),
    (leaf("dt", "gt", "noon"), "dt", "invalid_datetime"),
    (leaf("b", "eq", "maybe"), "b", "not_boolean"),
    (leaf("ph", "eq", "123"), "ph", "invalid_phone"),
    (leaf("em", "eq", "nope"), "em", "invalid_email"),
    (leaf("u", "eq", "ftp://example.com"), "u", "invalid_url"),
    (leaf("t", "eq", True), "t", "not_text"),
    (leaf("t", "eq", "x" * 201), "t", "too_long"),
    (leaf("t", "contains", "a\x00"), "t", "text_nul"),
    (leaf("us", "eq", "abc"), "us", "user_not_found"),
    (leaf("dep", "eq", "$me"), "dep", "department_value_invalid"),
    (leaf("r1", "eq", "abc"), "r1", "not_record_id"),
    (leaf("rm", "contains", 0), "rm", "not_record_id"),
    (leaf("id", "eq", "abc"), "id", "not_record_id"),
    (leaf("owner", "in", [-1]), "owner", "user_not_found"),
    ([], "filter", "filter_shape"),
    ("t", "filter", "filter_shape"),
    (5, "filter", "filter_shape"),
    ({"foo": 1}, "filter", "filter_shape"),
    ({"and": "x"}, "filter.and", "filter_shape"),
    ({"and": [{"foo": 1}]}, "filter.and[0]", "filter_shape"),
    ({"and": [], "or": []}, "filter", "filter_shape"),
    ({"field": "t"}, "filter", "filter_shape"),
    ({**leaf("t", "eq", "a"), "extra": 1}, "filter", "filter_shape"),
    (_nest(MAX_DEPTH + 1), "filter" + ".not" * (MAX_DEPTH + 1), "filter_too_deep"),
    (
        {"or": [leaf("n", "eq", i) for i in range(MAX_CONDITIONS + 1)]},
        f"filter.or[{MAX_CONDITIONS}]",
        "filter_too_large",
    ),
]


def _error_details(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_filter", error
    details: list[dict[str, Any]] = error["details"]
    return details


def test_invalid_filters_are_400_naming_field_and_rule(api: Api) -> None:
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "公司")
    form = api.make_form(all_fields(target["id"]), "全类型", target["app_id"])
    api.create(form["id"], {"t": "kept"})
    url = f"/forms/{form['id']}/records"
    failures = []
    for flt, where, code in ERRORS:
        response = api.get(url, params={"filter": json.dumps(flt)})
        if response.status_code != 400:
            failures.append(f"{flt!r:.80}: HTTP {response.status_code} {response.text:.200}")
            continue
        details = _error_details(response)
        if [(d["field"], d["code"]) for d in details] != [(where, code)]:
            failures.append(f"{flt!r:.80}: {details}")
    assert not failures, "\n".join(failures)
    # the limits themselves are allowed
    assert api.get(url, params={"filter": json.dumps(_nest(MAX_DEPTH))}).status_code == 200
    many = {"or": [leaf("n", "eq", i) for i in range(MAX_CONDITIONS)]}
    assert api.get(url, params={"filter": json.dumps(many)}).status_code == 200
    empty_value = json.dumps(leaf("t", "is_empty", None))
    assert api.get(url, params={"filter": empty_value}).status_code == 200
    # every problem is reported at once
    both = {"and": [leaf("n", "eq", "abc"), {"not": leaf("s", "contains", "红")}]}
    details = _error_details(api.get(url, params={"filter": json.dumps(both)}))
    assert [(d["field"], d["code"]) for d in details] == [
        ("n", "not_number"),
        ("s", "filter_unsupported_op"),
    ]
    # an invalid filter on a write changes nothing
    response = api.post(f"{url}/bulk-delete", {"filter": leaf("n", "eq", "abc")})
    assert response.status_code == 400, response.text
    assert api.list(form["id"])["total"] == 1


def test_unsupported_operators_on_every_type(api: Api) -> None:
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "公司")
    specs = all_fields(target["id"])
    form = api.make_form(specs, "全类型", target["app_id"])
    url = f"/forms/{form['id']}/records"
    metas = [_spec_meta(spec) for spec in specs]
    metas += list(system_fields(form["id"]).values())
    failures = []
    for fm in metas:
        for op in sorted(set(operators) - set(fm.ftype.operators_for(fm))):
            response = api.get(url, params={"filter": json.dumps(leaf(fm.key, op, 1))})
            if response.status_code != 400:
                failures.append(f"{fm.key} {op}: HTTP {response.status_code}")
                continue
            details = _error_details(response)
            if [(d["field"], d["code"]) for d in details] != [(fm.key, "filter_unsupported_op")]:
                failures.append(f"{fm.key} {op}: {details}")
    assert not failures, "\n".join(failures)


def test_filter_errors_are_localised(api: Api) -> None:
    form = api.make_form([{"key": "amount", "label": "金额", "type": "money"}])
    url = f"/forms/{form['id']}/records"
    flt = json.dumps(
        {
            "and": [
                leaf("amount", "eq", "abc"),
                leaf("amount", "contains", "1"),
                leaf("ghost", "eq", 1),
                leaf("amount", "between", [1]),
            ]
        }
    )
    zh = api.get(url, params={"filter": flt})
    en = api.get(url, params={"filter": flt}, headers={"Accept-Language": "en"})
    zh_error, en_error = zh.json()["error"], en.json()["error"]
    assert zh.status_code == en.status_code == 400
    assert zh_error["code"] == en_error["code"] == "invalid_filter"
    assert zh_error["message"] == "筛选条件无效"
    assert en_error["message"] == "The filter is invalid"
    assert [d["code"] for d in zh_error["details"]] == [d["code"] for d in en_error["details"]]
    zh_msgs = [d["message"] for d in zh_error["details"]]
    en_msgs = [d["message"] for d in en_error["details"]]
    assert zh_msgs[0] == "「金额」必须是数字"
    assert en_msgs[0] == '"金额" must be a number'
    assert "「金额」不支持运算符「contains」" in zh_msgs[1]
    assert "does not support the operator 'contains'" in en_msgs[1]
    assert "between" in en_msgs[1] and "gte" in en_msgs[1]  # lists what is supported
    assert "ghost" in zh_msgs[2] and "ghost" in en_msgs[2]
    assert zh_msgs[3].startswith("运算符 between") and en_msgs[3].startswith("The operator between")
    bad_json = api.get(url, params={"filter": "{'field': 'amount'"})
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["details"] == [
        {"field": "filter", "code": "filter_not_json", "message": "filter 参数不是有效的 JSON"}
    ]
    bad_json_en = api.get(url, params={"filter": "{"}, headers={"Accept-Language": "en"})
    assert bad_json_en.json()["error"]["details"][0]["message"] == (
        "The filter parameter is not valid JSON"
    )


# ----- sorting, paging, projection, search, recycle bin ---------------------------------------
LEVELS = ["高", "中", "低"]
NAMES = ["kiwi", "apple", "mango", "apple", "banana", None, "cherry", "apple", "date", "fig", None, "grape", "kiwi", "lemon", "lime", "mango", "nut", "olive", "pear", "plum", "apple", "quince", "rasp", "sloe"]  # fmt: skip
AMOUNTS = [None, "10", "20.5", "10", "0", "-3", "20.5", None, "100", "10"]
SCORES = [3, None, 1, 1, 2, None, 0]


def paging_rows() -> list[dict[str, Any]]:
    rows = []
    for i, name in enumerate(NAMES):
        rows.append(
            {
                "name": name,
                "amount": AMOUNTS[i % len(AMOUNTS)],
                "level": [*LEVELS, None][i % 4],
                "score": SCORES[i % len(SCORES)],
                "note": ["Alpha note", "beta", None, "100% sure"][i % 4],
                "tags": [["x"], [], ["x", "y"]][i % 3],
                "email": f"{name or 'none'}.{'abcdefghijklmnopqrstuvwx'[i]}@example.com",
            }
        )
    return rows


@pytest.fixture
def paging(api: Api) -> tuple[int, list[dict[str, Any]]]:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "amount", "label": "金额", "type": "money", "indexed": True},
            {"key": "level", "label": "等级", "type": "select", "settings": {"choices": LEVELS}},
            {"key": "score", "label": "评分", "type": "number"},
            {"key": "note", "label": "备注", "type": "textarea"},
            {
                "key": "tags",
                "label": "标签",
                "type": "multiselect",
                "settings": {"choices": ["x", "y"]},
            },
            {"key": "email", "label": "邮箱", "type": "email"},
        ],
        "分页",
    )
    body = {"items": [{"data": row} for row in paging_rows()]}
    api.ok(api.post(f"/forms/{form['id']}/records/bulk", body), 201)
    page = api.list(form["id"], limit=500, sort="id")
    assert page["total"] == len(NAMES)
    return form["id"], page["items"]


def sort_value(record: dict[str, Any], key: str) -> Any:
    if key in record:
        return record[key]
    value = record["data"][key]
    if key == "level" and value is not None:
        return LEVELS.index(value)
    return value


def oracle_order(records: list[dict[str, Any]], sort: str | None) -> list[int]:
    """NULL is the smallest value; the id breaks ties in the last key's direction."""
    spec = [(part.lstrip("-"), part.startswith("-")) for part in (sort or "-id").split(",")]
    if spec[-1][0] != "id":
        spec.append(("id", spec[-1][1]))

    def compare(a: dict[str, Any], b: dict[str, Any]) -> int:
        for key, descending in spec:
            x, y = sort_value(a, key), sort_value(b, key)
            if x == y:
                continue
            if x is None:
                result = -1
            elif y is None:
                result = 1
            else:
                result = -1 if x < y else 1
            return -result if descending else result
        return 0

    from functools import cmp_to_key

    return [r["id"] for r in sorted(records, key=cmp_to_key(compare))]


def walk(api: Api, form_id: int, limit: int, **params: Any) -> list[int]:
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        if cursor:
            params["cursor"] = cursor
        page = api.list(form_id, limit=limit, **params)
        assert len(page["items"]) <= limit
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen
        assert len(page["items"]) == limit
    raise AssertionError("pages never ended")


SORTS = [
    "-amount,name",
    "amount",
    "-amount",
    "name",
    "-name,-amount",
    "level,-score",
    "-level,name",
    "score,level,amount,name",
    "id",
    "-id",
    "created_at",
    "-updated_at,amount",
    "owner,name",
    "amount,id",
    "-amount,-id",
]


def test_sorts_pages_and_cursors(api: Api, paging: tuple[int, list[dict[str, Any]]]) -> None:
    form_id, records = paging
    # NULL is the smallest value, on both engines
    ascending = api.list(form_id, sort="amount", limit=500)["items"]
    assert [r["data"]["amount"] for r in ascending[:5]] == [None] * 5
    assert ascending[5]["data"]["amount"] == -3
    descending = api.list(form_id, sort="-amount", limit=500)["items"]
    assert [r["data"]["amount"] for r in descending[-5:]] == [None] * 5
    assert descending[0]["data"]["amount"] == 100
    # default order: newest first
    assert [r["id"] for r in api.list(form_id, limit=500)["items"]] == oracle_order(records, None)
    for sort in SORTS:
        whole = [r["id"] for r in api.list(form_id, sort=sort, limit=500)["items"]]
        assert whole == oracle_order(records, sort), sort
        assert walk(api, form_id, 4, sort=sort) == whole, sort
    assert walk(api, form_id, 1, sort="-amount,name") == oracle_order(records, "-amount,name")
    assert walk(api, form_id, 24, sort="name") == oracle_order(records, "name")
    # with a filter and a search, pages cover exactly the matching records
    flt = json.dumps({"field": "amount", "op": "is_not_empty"})
    whole = [
        r["id"] for r in api.list(form_id, sort="-amount,name", filter=flt, limit=500)["items"]
    ]
    assert whole == oracle_order(
        [r for r in records if r["data"]["amount"] is not None], "-amount,name"
    )
    assert walk(api, form_id, 3, sort="-amount,name", filter=flt) == whole
    searched = [r for r in records if "alpha" in (r["data"]["note"] or "").lower()]
    assert walk(api, form_id, 2, sort="level,name", q="ALPHA") == oracle_order(
        searched, "level,name"
    )
    # total counts every match, not the page
    page = api.list(form_id, sort="name", limit=5, filter=flt)
    assert page["total"] == len(whole) and len(page["items"]) == 5


def test_cursor_is_bound_to_its_query(api: Api, paging: tuple[int, list[dict[str, Any]]]) -> None:
    form_id, _records = paging
    flt = json.dumps({"field": "amount", "op": "gt", "value": 0})
    page = api.list(form_id, sort="-amount,name", filter=flt, limit=3)
    cursor = page["next_cursor"]
    assert cursor
    ok = api.list(form_id, sort="-amount,name", filter=flt, limit=3, cursor=cursor)
    assert ok["items"] and ok["items"][0]["id"] not in {r["id"] for r in page["items"]}
    other = api.make_form([{"key": "amount", "label": "金额", "type": "money"}], "其他")
    payload, signature = cursor.rsplit(".", 1)
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    values[-1] += 1  # point the cursor at another record, keep the signature
    forged = base64.urlsafe_b64encode(json.dumps(values, separators=(",", ":")).encode())
    forged_payload = forged.decode().rstrip("=")
    misuse: list[tuple[str, dict[str, Any]]] = [
        ("different sort", {"sort": "amount,name", "filter": flt}),
        ("different filter", {"sort": "-amount,name"}),
        ("other filter", {"sort": "-amount,name", "filter": flt.replace("gt", "gte")}),
        ("a search", {"sort": "-amount,name", "filter": flt, "q": "a"}),
        ("the recycle bin", {"sort": "-amount,name", "filter": flt, "trashed": "true"}),
    ]
    for why, params in misuse:
        response = api.get(f"/forms/{form_id}/records", params={**params, "cursor": cursor})
        assert response.status_code == 400, why
        error = response.json()["error"]
        assert error["code"] == "invalid_cursor", why
        assert error["details"][0]["field"] == "cursor"
    good = {"sort": "-amount,name", "filter": flt}
    for bad in (
        f"{forged_payload}.{signature}",
        f"{payload}.{signature[:-1]}x",
        payload,
        "garbage",
        "!!!.???",
        ".",
        cursor + "x",
    ):
        response = api.get(f"/forms/{form_id}/records", params={**good, "cursor": bad})
        assert response.status_code == 400, bad
        assert response.json()["error"]["code"] == "invalid_cursor"
    response = api.get(f"/forms/{other['id']}/records", params={**good, "cursor": cursor})
    assert response.status_code == 400
    en = api.get(
        f"/forms/{form_id}/records",
        params={**good, "cursor": "garbage"},
        headers={"Accept-Language": "en"},
    )
    assert en.json()["error"]["message"].startswith("The page cursor is invalid")


def test_invalid_sorts(api: Api, paging: tuple[int, list[dict[str, Any]]]) -> None:
    form_id, _ = paging
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "公司")
    rel = api.make_form(
        [
            {
                "key": "links",
                "label": "关联",
                "type": "relation",
                "settings": {"target_form_id": target["id"], "multiple": True},
            }
        ],
        "关联",
        target["app_id"],
    )
    for fid, sort, key in [
        (form_id, "nope", "nope"),
        (form_id, "tags", "tags"),  # multi-valued: not sortable
        (form_id, "-tags", "tags"),
        (form_id, "amount,-amount", "amount"),
        (form_id, "version", "version"),
        (form_id, "deleted_at", "deleted_at"),
        (form_id, "name;DROP TABLE qiao_users", "name;DROP TABLE qiao_users"),
        (rel["id"], "links", "links"),
    ]:
        response = api.get(f"/forms/{fid}/records", params={"sort": sort})
        assert response.status_code == 400, sort
        error = response.json()["error"]
        assert error["code"] == "invalid_sort"
        assert error["details"] == [
            {
                "field": "sort",
                "code": "invalid_sort",
                "message": f"排序字段「{key}」不存在或不能排序",
            }
        ]
    for sort in (",", "name,amount,score,level,email,id"):
        response = api.get(f"/forms/{form_id}/records", params={"sort": sort})
        assert response.status_code == 400, sort
        assert response.json()["error"]["code"] == "invalid_sort"
    assert api.get(f"/forms/{form_id}/records", params={"sort": "+name"}).status_code == 200


def test_projection_search_and_recycle_bin(
    api: Api, paging: tuple[int, list[dict[str, Any]]]
) -> None:
    form_id, records = paging
    # fields= projection
    page = api.list(form_id, fields="name,amount", limit=500, sort="id")
    assert all(set(item["data"]) == {"name", "amount"} for item in page["items"])
    assert [item["data"] for item in page["items"]] == [
        {"name": r["data"]["name"], "amount": r["data"]["amount"]} for r in records
    ]
    assert {"id", "version", "created_at", "owner"} <= set(page["items"][0])
    page = api.list(form_id, fields="tags,id", limit=500, sort="id")
    assert [item["data"] for item in page["items"]] == [
        {"tags": r["data"]["tags"]} for r in records
    ]
    response = api.get(f"/forms/{form_id}/records", params={"fields": "name,ghost"})
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["code"] == "invalid_fields_param"
    # q= searches text-like fields and select labels, case-insensitively and literally

    def searched(q: str) -> set[int]:
        return {item["id"] for item in api.list(form_id, q=q, limit=500)["items"]}

    def where(pred: Callable[[dict[str, Any]], bool]) -> set[int]:
        return {r["id"] for r in records if pred(r["data"])}

    assert searched("ALPHA") == where(lambda d: d["note"] == "Alpha note")
    assert searched("apple") == where(lambda d: d["name"] == "apple")
    assert searched("高") == where(lambda d: d["level"] == "高")
    assert searched("%") == where(lambda d: d["note"] == "100% sure")
    assert searched("_") == set()
    assert searched("KIWI.A@") == where(lambda d: d["email"] == "kiwi.a@example.com")
    assert searched("  ") == {r["id"] for r in records}
    record_id = records[3]["id"]
    assert record_id in searched(str(record_id))
    # with a filter, q narrows it further
    flt = json.dumps({"field": "level", "op": "eq", "value": "高"})
    hits = {item["id"] for item in api.list(form_id, q="apple", filter=flt)["items"]}
    assert hits == where(lambda d: d["name"] == "apple" and d["level"] == "高")
    # trashed=true lists the recycle bin, with the same filters
    gone = [records[0]["id"], records[5]["id"], records[10]["id"]]
    api.ok(api.post(f"/forms/{form_id}/records/bulk-delete", {"ids": gone}))
    trash = api.list(form_id, trashed="true", limit=500)
    assert sorted(item["id"] for item in trash["items"]) == sorted(gone)
    assert trash["total"] == 3
    assert all(item["deleted_at"] for item in trash["items"])
    live = api.list(form_id, limit=500)
    assert live["total"] == len(records) - 3
    assert not set(gone) & {item["id"] for item in live["items"]}
    named = json.dumps({"field": "name", "op": "is_empty"})
    in_trash = api.list(form_id, trashed="true", filter=named)["items"]
    assert [item["id"] for item in in_trash] == [records[10]["id"], records[5]["id"]]
    assert walk(api, form_id, 1, trashed="true", sort="id") == sorted(gone)
    api.ok(api.post(f"/forms/{form_id}/records/{gone[0]}/restore"))
    assert api.list(form_id, trashed="true")["total"] == 2
    assert api.list(form_id)["total"] == len(records) - 2


def test_a_later_page_seeks_instead_of_scanning_the_rows_before_it(api: Api, rt: Runtime) -> None:
    """With the default order (newest first), the query of page n starts at its cursor
    in the primary key; scanning from the top made a million-record export quadratic."""
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "分页")
    items = [{"data": {"name": f"客户{i}"}} for i in range(5)]
    api.ok(api.post(f"/forms/{form['id']}/records/bulk", {"items": items}), 201)
    first = api.list(form["id"], limit=2)
    seen: list[tuple[str, Any]] = []

    def remember(_conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    sa.event.listen(rt.db.engine, "before_cursor_execute", remember)
    try:
        second = api.list(form["id"], limit=2, cursor=first["next_cursor"])
    finally:
        sa.event.remove(rt.db.engine, "before_cursor_execute", remember)
    assert [i["id"] for i in second["items"]] == [first["items"][1]["id"] - k for k in (1, 2)]
    statement, params = next((s, p) for s, p in seen if "ORDER BY" in s and "LIMIT" in s)
    assert "IS NULL" not in statement.split("WHERE", 1)[1].split("ORDER BY")[0].replace(
        "deleted_at IS NULL", ""
    )
    if rt.db.is_sqlite:
        with rt.db.engine.connect() as conn:
            plan = " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            )
        assert "INTEGER PRIMARY KEY (rowid<?)" in plan, plan
