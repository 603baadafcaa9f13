"""One error shape for every failed request (after Datasette's test_error_shape.py).

A table of bad requests, each asserting its status, its code and the exact shape
``{"error": {"code", "message", "details": [{"field", "code", "message"}]}}`` with
messages in Chinese by default and in English for ``Accept-Language: en``; then a
seeded fuzz loop that posts random JSON into every record endpoint of a form holding
every field type, asserting that no request ever fails with a 500 and that a refused
write leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import random
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.db import schema
from qiao.forms.fields import registry
from qiao.i18n.catalog import MESSAGES
from qiao.query.operators import operators
from qiao.runtime import Runtime
from tests.conftest import Api

CJK = re.compile(r"[\u4e00-\u9fff]")


def assert_error_shape(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is the one error shape, every message translated."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"code", "message", "details"}, error
    assert isinstance(error["code"], str) and error["code"] in MESSAGES, error
    assert isinstance(error["message"], str) and error["message"], error
    assert isinstance(error["details"], list), error
    for detail in error["details"]:
        assert set(detail) == {"field", "code", "message"}, detail
        assert isinstance(detail["field"], str), detail
        assert isinstance(detail["code"], str) and detail["code"] in MESSAGES, detail
        assert isinstance(detail["message"], str) and detail["message"], detail
        assert not unfilled(detail["code"], detail["message"]), detail
    assert not unfilled(error["code"], error["message"]), error
    if code is not None:
        assert error["code"] == code, error
    return dict(error)


def unfilled(code: str, message: str) -> list[str]:
    """The placeholders of the code's templates that are left in the message as-is."""
    names = {
        name
        for template in MESSAGES[code].values()
        for _, name, _, _ in string.Formatter().parse(template)
        if name
    }
    return [name for name in names if "{" + name + "}" in message]


def assert_language(error: dict[str, Any], locale: str) -> None:
    for message in [error["message"], *(d["message"] for d in error["details"])]:
        if locale == "en":
            assert not CJK.search(message), message
        else:
            assert CJK.search(message), message


# ----- fixtures ------------------------------------------------------------------------
TABLE_FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "Name", "type": "text", "required": True, "unique": True},
    {"key": "amount", "label": "Amount", "type": "money"},
    {"key": "level", "label": "Level", "type": "select", "settings": {"choices": ["A", "B"]}},
]


@dataclass
class Ids:
    app: int
    form: int
    field: int
    record: int
    version: int


@pytest.fixture
def ids(api: Api) -> Ids:
    form = api.make_form(TABLE_FIELDS, "Customers")
    record = api.create(form["id"], {"name": "Acme", "amount": "10.5", "level": "A"})
    changed = api.ok(
        api.patch(
            f"/forms/{form['id']}/records/{record['id']}",
            {"data": {"amount": 11}, "version": record["version"]},
        )
    )
    return Ids(
        form["app_id"], form["id"], form["fields"][0]["id"], record["id"], changed["version"]
    )


def record_count(rt: Runtime, form_id: int) -> int:
    with rt.db.read() as conn:
        table_name = conn.execute(
            sa.select(schema.forms.c.table_name).where(schema.forms.c.id == form_id)
        ).scalar_one()
        table = sa.Table(table_name, sa.MetaData(), autoload_with=conn)
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


# ----- the table of bad requests ---------------------------------------------------------
@dataclass
class Case:
    name: str
    method: str
    path: str  # formatted with the Ids
    status: int
    code: str
    detail_codes: list[str] | None = None  # the details' codes, in order, when asserted
    who: str = "admin"  # admin | anonymous | member
    body: Any = None
    raw: bytes | None = None  # sent as-is with a JSON content type
    params: dict[str, str] = field(default_factory=dict)


R = "/forms/{form}/records"
CASES = [
    Case("unknown route", "GET", "/nothing-here", 404, "route_not_found", []),
    # other paths belong to the web app (history routing); reserved prefixes stay API-ish
    Case("unknown route outside the api", "GET", "!/health/nothing", 404, "route_not_found", []),
    Case("wrong method", "PUT", "/apps", 405, "method_not_allowed", []),
    Case("wrong method on a record", "PUT", R + "/{record}", 405, "method_not_allowed"),
    Case("unauthenticated read", "GET", "/apps", 401, "not_authenticated", [], who="anonymous"),
    Case(
        "unauthenticated write",
        "POST",
        R,
        401,
        "not_authenticated",
        who="anonymous",
        body={"data": {"name": "x"}},
    ),
    Case("forbidden", "POST", "/apps", 403, "admin_required", [], who="member", body={"name": "x"}),
    Case(
        "forbidden schema change",
        "DELETE",
        "/forms/{form}/fields/{field}",
        403,
        "operation_forbidden",
        who="member",
    ),
    Case("invalid json", "POST", R, 400, "invalid_json", [], raw=b'{"data": {"name": '),
    Case("invalid json, not an object", "POST", "/apps", 400, "invalid_json", raw=b"nul"),
    Case("empty body", "POST", R, 422, "request_invalid", ["missing"], raw=b""),
    Case("body is a list", "POST", R, 422, "request_invalid", body=[{"data": {}}]),
    Case("data is not an object", "POST", R, 422, "request_invalid", body={"data": [1, 2]}),
    Case(
        "missing data",
        "POST",
        R,
        422,
        "request_invalid",
        ["missing", "extra_forbidden"],
        body={"dta": {}},
    ),
    Case(
        "extra top-level key",
        "POST",
        R,
        422,
        "request_invalid",
        ["extra_forbidden"],
        body={"data": {"name": "y"}, "id": 3},
    ),
    Case("app of wrong shape", "POST", "/apps", 422, "request_invalid", body={"name": 42}),
    Case(
        "unknown field in data",
        "POST",
        R,
        422,
        "validation_failed",
        ["unknown_field"],
        body={"data": {"name": "y", "nope": 1}},
    ),
    Case(
        "wrong value types",
        "POST",
        R,
        422,
        "validation_failed",
        ["not_number", "invalid_choice"],
        body={"data": {"name": "y", "amount": "lots", "level": "Z"}},
    ),
    Case("required missing", "POST", R, 422, "validation_failed", ["required"], body={"data": {}}),
    Case(
        "unique taken",
        "POST",
        R,
        422,
        "validation_failed",
        ["unique"],
        body={"data": {"name": "Acme"}},
    ),
    Case("non-integer form id", "GET", "/forms/abc/records", 422, "request_invalid"),
    Case("unknown app", "GET", "/apps/999999", 404, "app_not_found", []),
    Case("unknown form", "GET", "/forms/999999", 404, "form_not_found", []),
    Case("records of unknown form", "GET", "/forms/999999/records", 404, "form_not_found", []),
    Case(
        "create in unknown form",
        "POST",
        "/forms/999999/records",
        404,
        "form_not_found",
        [],
        body={"data": {}},
    ),
    Case("unknown record", "GET", R + "/999999", 404, "record_not_found", []),
    Case(
        "patch unknown record",
        "PATCH",
        R + "/999999",
        404,
        "record_not_found",
        body={"data": {"name": "x"}, "version": 1},
    ),
    Case("unknown field id", "DELETE", "/forms/{form}/fields/999999", 404, "field_not_found"),
    Case(
        "filter not json",
        "GET",
        R,
        400,
        "invalid_filter",
        ["filter_not_json"],
        params={"filter": "{name"},
    ),
    Case(
        "filter unknown field",
        "GET",
        R,
        400,
        "invalid_filter",
        ["filter_unknown_field"],
        params={"filter": '{"field": "nope", "op": "eq", "value": 1}'},
    ),
    Case(
        "filter unsupported operator",
        "GET",
        R,
        400,
        "invalid_filter",
        ["filter_unsupported_op"],
        params={"filter": '{"field": "level", "op": "starts_with", "value": "A"}'},
    ),
    Case(
        "filter of wrong shape",
        "GET",
        R,
        400,
        "invalid_filter",
        ["filter_shape"],
        params={"filter": '[{"field": "name"}]'},
    ),
    Case(
        "filter with bad value",
        "GET",
        R,
        400,
        "invalid_filter",
        params={"filter": '{"field": "amount", "op": "gt", "value": "many"}'},
    ),
    Case("bad sort", "GET", R, 400, "invalid_sort", params={"sort": "-nope"}),
    Case("bad cursor", "GET", R, 400, "invalid_cursor", params={"cursor": "garbage"}),
    Case("limit out of range", "GET", R, 422, "request_invalid", params={"limit": "0"}),
    Case(
        "stale version",
        "PATCH",
        R + "/{record}",
        409,
        "version_conflict",
        [],
        body={"data": {"name": "Acme 2"}, "version": 1},
    ),
    Case(
        "version missing",
        "PATCH",
        R + "/{record}",
        422,
        "validation_failed",
        ["version_required"],
        body={"data": {"name": "Acme 2"}},
    ),
    Case("restore a live record", "POST", R + "/{record}/restore", 409, "record_not_deleted"),
    Case(
        "empty bulk",
        "POST",
        R + "/bulk",
        422,
        "request_invalid",
        body={"items": []},
    ),
]


def send(case: Case, ids: Ids, client: TestClient, headers: dict[str, str]) -> Any:
    path = case.path.format(**vars(ids))
    url = path[1:] if path.startswith("!") else f"/api/v1{path}"
    kwargs: dict[str, Any] = {"params": case.params}
    if case.raw is not None:
        kwargs["content"] = case.raw
        headers = {**headers, "Content-Type": "application/json"}
    elif case.body is not None:
        kwargs["json"] = case.body
    return client.request(case.method, url, headers=headers, **kwargs)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_bad_requests_share_one_error_shape(
    api: Api, ids: Ids, rt: Runtime, make_user: Any, locale: str
) -> None:
    member_headers = make_user("li.lei").headers
    before = record_count(rt, ids.form)
    failures = []
    for case in CASES:
        headers = {"admin": api.headers, "anonymous": {}, "member": member_headers}[case.who]
        headers = {k: v for k, v in headers.items() if k != "Accept-Language"}
        if locale == "en":
            headers["Accept-Language"] = "en-US,en;q=0.9"
        response = send(case, ids, api.client, headers)
        try:
            error = assert_error_shape(response, case.status, case.code)
            assert_language(error, locale)
            if case.detail_codes is not None:
                got = [d["code"] for d in error["details"]]
                assert got == case.detail_codes, error["details"]
        except AssertionError as exc:
            failures.append(f"case {case.name!r}: {exc}")
    assert not failures, "\n".join(failures)
    assert record_count(rt, ids.form) == before
    record = api.ok(api.get(f"/forms/{ids.form}/records/{ids.record}"))
    assert record["version"] == ids.version
    assert record["data"]["name"] == "Acme"


def test_every_case_names_a_catalogued_code() -> None:
    assert {case.code for case in CASES} <= set(MESSAGES)
    assert len({case.name for case in CASES}) == len(CASES)


def test_messages_follow_accept_language(api: Api, ids: Ids) -> None:
    path = f"/forms/{ids.form}/records/{ids.record}"
    body = {"data": {"name": "Acme 3"}, "version": 1}
    zh = assert_error_shape(api.patch(path, body), 409, "version_conflict")
    assert zh["message"] == MESSAGES["version_conflict"]["zh-CN"].format(current=ids.version)
    en = assert_error_shape(api.patch(path, body, headers={"Accept-Language": "en"}), 409)
    assert en["message"] == MESSAGES["version_conflict"]["en"].format(current=ids.version)
    fr = assert_error_shape(api.patch(path, body, headers={"Accept-Language": "fr-FR"}), 409)
    assert fr["message"] == zh["message"]  # unsupported languages fall back to zh-CN

    data = {"data": {"name": "Beta", "amount": "x"}}
    detail = assert_error_shape(
        api.post(f"/forms/{ids.form}/records", data, headers={"Accept-Language": "en"}), 422
    )["details"][0]
    assert detail == {
        "field": "amount",
        "code": "not_number",
        "message": '"Amount" must be a number',
    }


# ----- oversized bodies ------------------------------------------------------------------
def test_oversized_body_is_413(
    client_with: Callable[..., TestClient], api: Api, ids: Ids, rt: Runtime
) -> None:
    client = client_with(max_body_bytes=1024)
    url = f"/api/v1/forms/{ids.form}/records"
    big = {"data": {"name": "x" * 2000}}
    for locale in ("zh-CN", "en"):
        headers = {**api.headers, "Accept-Language": locale}
        response = client.post(url, json=big, headers=headers)
        error = assert_error_shape(response, 413, "body_too_large")
        assert "1024" in error["message"]
        assert_language(error, locale)
    # a body under the limit goes through the same client
    small = client.post(url, json={"data": {"name": "small"}}, headers=api.headers)
    assert small.status_code == 201, small.text
    assert record_count(rt, ids.form) == 2


def test_chunked_oversized_body_is_413(
    client_with: Callable[..., TestClient], api: Api, ids: Ids, rt: Runtime
) -> None:
    client = client_with(max_body_bytes=1024)
    url = f"/api/v1/forms/{ids.form}/records"
    sent_headers: dict[str, str] = {}

    def chunks() -> Iterator[bytes]:
        yield b'{"data": {"name": "'
        for _ in range(20):
            yield b"y" * 100
        yield b'"}}'

    request = client.build_request(
        "POST", url, content=chunks(), headers={**api.headers, "Content-Type": "application/json"}
    )
    sent_headers.update(request.headers)
    response = client.send(request)
    assert "content-length" not in {k.lower() for k in sent_headers}
    assert sent_headers.get("transfer-encoding") == "chunked"
    assert_error_shape(response, 413, "body_too_large")
    assert record_count(rt, ids.form) == 1


def test_unhandled_errors_keep_the_shape(client_with: Callable[..., TestClient], api: Api) -> None:
    client = client_with(raise_server_exceptions=False)

    def boom() -> None:
        raise RuntimeError("boom")

    client.app.add_api_route("/boom", boom)  # type: ignore[attr-defined]
    routes = client.app.router.routes  # type: ignore[attr-defined]
    routes.insert(0, routes.pop())  # ahead of the web app's catch-all route
    response = client.get("/boom", headers={"Accept-Language": "en"})
    error = assert_error_shape(response, 500, "internal_error")
    assert error["message"] == "Internal server error"
    assert "boom" not in response.text  # no internals leak


# ----- the fuzz loop -----------------------------------------------------------------------
def all_type_fields(target_form_id: int) -> list[dict[str, Any]]:
    return [
        {"key": "t", "label": "文本", "type": "text", "unique": True},
        {"key": "ta", "label": "多行文本", "type": "textarea"},
        {"key": "n", "label": "数字", "type": "number", "settings": {"precision": 2}},
        {"key": "m", "label": "金额", "type": "money", "required": True},
        {"key": "p", "label": "百分比", "type": "percent"},
        {"key": "d", "label": "日期", "type": "date"},
        {"key": "dt", "label": "日期时间", "type": "datetime"},
        {"key": "b", "label": "布尔", "type": "boolean"},
        {"key": "s", "label": "单选", "type": "select", "settings": {"choices": ["红", "Blue"]}},
        {"key": "ms", "label": "多选", "type": "multiselect", "settings": {"choices": ["a", "b"]}},
        {"key": "ph", "label": "电话", "type": "phone"},
        {"key": "em", "label": "邮箱", "type": "email"},
        {"key": "u", "label": "网址", "type": "url"},
        {"key": "us", "label": "成员", "type": "user"},
        {"key": "dp", "label": "部门", "type": "department"},
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
        {"key": "fa", "label": "附件", "type": "attachment"},
        {"key": "fi", "label": "图片", "type": "image"},
        {"key": "fs", "label": "签名", "type": "signature"},
        {"key": "ic", "label": "身份证", "type": "idcard", "unique": True},
        {"key": "ra", "label": "评分", "type": "rating"},
        {"key": "rt", "label": "富文本", "type": "richtext"},
        {"key": "lo", "label": "定位", "type": "location"},
        {"key": "ad", "label": "地址", "type": "address"},
        {"key": "fx", "label": "公式", "type": "formula", "settings": {"expression": "n * 2 + m"}},
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
        {
            "key": "sf",
            "label": "子表单",
            "type": "subform",
            "settings": {
                "columns": [
                    {"key": "q", "label": "数量", "type": "number", "required": True},
                    {"key": "w", "label": "备注", "type": "text"},
                    {
                        "key": "r",
                        "label": "关联",
                        "type": "relation",
                        "settings": {"target_form_id": target_form_id},
                    },
                ],
                "max_rows": 3,
            },
        },
    ]


INTERESTING_STRINGS = [
    "",
    " ",
    "0",
    "-1",
    "1e309",
    "NaN",
    "12.345",
    "9" * 40,
    "true",
    "null",
    "2024-02-30",
    "2024-03-05",
    "2024-03-05T09:30:00+08:00",
    "2024-03-05T09:30:00",
    "13812345678",
    "+86 138 1234 5678",
    "010-12345678",
    "a@b.cn",
    "not an email",
    "https://example.com/x?y=1",
    "javascript:alert(1)",
    "红",
    "Blue",
    "a",
    "'; DROP TABLE qiao_users; --",
    "\x00",
    "x" * 300,
    "😀" * 5,
    "１２３",
]


def valid_values(admin_id: int, target_id: int) -> dict[str, list[Any]]:
    """Acceptable values per field key, so that many fuzzed writes succeed."""
    return {
        "t": ["客户甲", "Acme Ltd", "  spaced  ", "'; DROP TABLE qiao_users; --"],
        "ta": ["第一行\n第二行", "", "x" * 100],
        "n": [0, 12.34, "5", -1, "1e3"],
        "m": ["1234.50", 0, 99, "0.01", -5],
        "p": [0.5, "12.5", 100],
        "d": ["2024-03-05", "2000-01-01"],
        "dt": ["2024-03-05T09:30:00+08:00", "2024-03-05T01:30:00Z"],
        "b": [True, False],
        "s": ["红", "Blue"],
        "ms": [["a"], ["a", "b"], []],
        "ph": ["13812345678", "010-12345678", "+86 138 1234 5678"],
        "em": ["a@b.cn", "li.lei@example.com"],
        "u": ["https://example.com", "http://qiao.dev/x?y=1"],
        "us": [admin_id, str(admin_id)],
        "dp": [None, ""],  # no department exists in this test
        "an": ["NO-0001"],  # read-only: always refused
        "fx": [1],  # computed: always refused
        "lk": ["x"],
        "ru": [2],
        "r1": [target_id, str(target_id)],
        "rm": [[target_id], []],
        "ic": ["11010519491231002X", "110105198001010016", "440305199001010034"],
        "ra": [1, 5, "3"],
        "rt": ["<p>你好<b>世界</b></p>", '<img src=x onerror="alert(1)">', ""],
        "lo": [{"lat": 39.9, "lng": 116.4}, {"lat": -90, "lng": 180, "address": "极点"}],
        "ad": [
            {"province": "广东", "city": "深圳", "district": "南山区", "street": "科技园"},
            {"district_code": "110105"},
            {"province": "44"},
        ],
        "sf": [[], [{"q": 1}], [{"q": "2.5", "w": "x", "r": target_id}, {"q": 0, "r": None}]],
    }


class Fuzzer:
    """Random JSON values: often valid for the field, otherwise biased towards the edges
    of every field type."""

    def __init__(self, seed: int, valid: dict[str, list[Any]], ops: dict[str, list[str]]) -> None:
        self.rng = random.Random(seed)
        self.valid = valid
        self.ops = ops  # field key -> the operators its type supports

    def scalar(self) -> Any:
        rng = self.rng
        kind = rng.randrange(9)
        if kind == 0:
            return None
        if kind == 1:
            return rng.choice([True, False])
        if kind == 2:
            return rng.choice([0, 1, -1, 2, 3, 10**6, -(2**63), 2**63, 10**30, 2**31 - 1])
        if kind == 3:
            return rng.choice([0.5, -3.25, 1e-9, 1e308, 12.345, float("nan"), float("inf")])
        if kind == 4:
            return "".join(rng.choice(string.printable) for _ in range(rng.randrange(12)))
        if kind == 5:
            return "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(8)))
        return rng.choice(INTERESTING_STRINGS)

    def value(self, depth: int = 0) -> Any:
        kind = self.rng.randrange(10)
        if depth < 2 and kind == 0:
            return [self.value(depth + 1) for _ in range(self.rng.randrange(4))]
        if depth < 2 and kind == 1:
            return {self.key(): self.value(depth + 1) for _ in range(self.rng.randrange(3))}
        if kind == 2:
            return [self.scalar() for _ in range(self.rng.randrange(1, 4))]
        return self.scalar()

    def value_for(self, key: str) -> Any:
        if key in self.valid and self.rng.random() < 0.75:
            return self.rng.choice(self.valid[key])
        return self.value()

    def key(self) -> str:
        if self.rng.random() < 0.92:
            return self.rng.choice(sorted(self.valid))
        return self.rng.choice(["id", "version", "created_at", "nope", "", "t ", "T"])

    def data(self) -> Any:
        if self.rng.random() < 0.04:
            return self.value()
        data = {
            key: self.value_for(key) for key in (self.key() for _ in range(self.rng.randrange(6)))
        }
        if self.rng.random() < 0.8:
            data["m"] = self.value_for("m")  # the required field
        return data

    def filter(self, depth: int = 0) -> Any:
        rng = self.rng
        roll = rng.random()
        if depth < 3 and roll < 0.15:
            return {rng.choice(["and", "or"]): [self.filter(depth + 1) for _ in range(2)]}
        if depth < 3 and roll < 0.2:
            return {"not": self.filter(depth + 1)}
        if roll < 0.23:
            return self.value()
        key = self.key()
        if key in self.ops and rng.random() < 0.8:
            op = rng.choice(self.ops[key])
        else:
            op = rng.choice([*operators, "like", ""])
        node: dict[str, Any] = {"field": key, "op": op}
        arity = operators[op].arity if op in operators else "one"
        if arity == "none" and rng.random() < 0.8:
            return node
        if arity == "days" and rng.random() < 0.8:
            return {**node, "value": rng.choice([1, 7, 30, 0, 4000, "7"])}
        shapes: list[Callable[[], Any]] = [
            lambda: self.value_for(key),
            lambda: [self.value_for(key) for _ in range(rng.randrange(1, 3))],
            lambda: [self.value_for(key), self.value_for(key)],
            self.value,
        ]
        preferred = {"list": 1, "pair": 2}.get(arity, 0)
        shape = shapes[preferred] if rng.random() < 0.7 else rng.choice(shapes)
        return {**node, "value": shape()}


class Snapshot:
    """Every row of every form, junction and sub-form table, and the autonumber counters."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        metadata = sa.MetaData()
        with rt.db.read() as conn:
            names = sorted(
                n for n in sa.inspect(conn).get_table_names() if n[:3] in ("qf_", "qj_", "qs_")
            )
            self.tables = [sa.Table(n, metadata, autoload_with=conn) for n in names]
        self.tables.append(schema.autonumber_counters)

    def take(self) -> list[Any]:
        with self.rt.db.read() as conn:
            return [
                [
                    tuple(map(repr, row))
                    for row in conn.execute(sa.select(t).order_by(*t.primary_key.columns))
                ]
                for t in self.tables
            ]


def no_500(response: Any, what: str) -> bool:
    """True for a success; a failure must be a 4xx in the error shape."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text}"
    if response.is_success:
        return True
    assert 400 <= response.status_code < 500, f"{what}: {response.status_code}"
    assert_error_shape(response, response.status_code)
    return False


def test_fuzz_records_never_500_nor_half_write(api: Api, rt: Runtime, admin: Any) -> None:
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "公司")
    target_record = api.create(target["id"], {"name": "甲"})
    specs = all_type_fields(target["id"])
    assert {s["type"] for s in specs} == {t.key for t in registry.public()}
    form = api.make_form(specs, app_id=target["app_id"])
    fid = form["id"]
    base = f"/forms/{fid}/records"
    seed_record = api.create(fid, {"t": "seed", "m": "1"})
    type_ops = {
        item["type"]: [o["op"] for o in item["operators"]]
        for item in api.ok(api.get("/field-types"))["items"]
    }
    fuzz = Fuzzer(
        20240305,
        valid_values(admin.id, target_record["id"]),
        {s["key"]: type_ops[s["type"]] for s in specs},
    )
    snapshot = Snapshot(rt)
    outcomes = {"created": 0, "refused": 0, "patched": 0, "listed": 0, "bad filter": 0}
    # sent as text: json.dumps writes NaN and Infinity as bare words, not JSON
    send_json = {"headers": {"Content-Type": "application/json"}}

    for step in range(50):
        before = snapshot.take()
        body = json.dumps({"data": fuzz.data()}, ensure_ascii=False)
        response = api.post(base, content=body.encode(), **send_json)
        if no_500(response, f"create #{step} {body}"):
            outcomes["created"] += 1
            stored = api.ok(api.get(f"{base}/{response.json()['id']}"))
            assert stored == response.json()
        else:
            outcomes["refused"] += 1
            assert snapshot.take() == before, f"create #{step} half-written: {body}"

        record = api.ok(api.get(f"{base}/{seed_record['id']}"))
        before = snapshot.take()
        version = record["version"] if fuzz.rng.random() < 0.85 else fuzz.scalar()
        body = json.dumps({"data": fuzz.data(), "version": version}, ensure_ascii=False)
        response = api.patch(f"{base}/{seed_record['id']}", content=body.encode(), **send_json)
        if no_500(response, f"patch #{step} {body}"):
            outcomes["patched"] += 1
            assert response.json()["version"] == record["version"] + 1
            assert api.ok(api.get(f"{base}/{seed_record['id']}")) == response.json()
        else:
            assert snapshot.take() == before, f"patch #{step} half-written: {body}"

        params = {"filter": json.dumps(fuzz.filter(), ensure_ascii=False)}
        if fuzz.rng.random() < 0.3:
            params["sort"] = fuzz.rng.choice(["-m", "t,-n", "ms", "r1", "-rm", "nope", "-"])
        if fuzz.rng.random() < 0.2:
            params["q"] = str(fuzz.scalar())[:50]
        response = api.get(base, params=params)
        if no_500(response, f"list #{step} {params}"):
            outcomes["listed"] += 1
        else:
            outcomes["bad filter"] += 1

    # the loop exercised both sides of every endpoint
    assert min(outcomes.values()) > 0, outcomes
    page = api.list(fid, limit=200)
    assert page["total"] == outcomes["created"] + 1


def test_request_validation_errors_name_list_items_like_the_services(api: Api) -> None:
    app = api.make_app()
    response = api.post(
        f"/apps/{app['id']}/forms",
        json={"name": "客户", "fields": [{"label": "名称", "type": "text"}, {"type": "text"}]},
    )
    assert response.status_code == 422, response.text
    assert [d["field"] for d in response.json()["error"]["details"]] == ["fields[1].label"]
