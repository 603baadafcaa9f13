"""The OpenAPI document: static endpoints for everyone, each live form's record schema
and paths for an authenticated caller; and the health checks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from qiao import __version__
from qiao.runtime import Runtime
from tests.conftest import Api

STATIC_PATHS = {
    "/api/v1/auth/login": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/auth/me": {"get"},
    "/api/v1/auth/tokens": {"get", "post"},
    "/api/v1/auth/tokens/{token_id}": {"delete"},
    "/api/v1/apps": {"get", "post"},
    "/api/v1/apps/{app_id}": {"get", "patch", "delete"},
    "/api/v1/apps/{app_id}/forms": {"get", "post"},
    "/api/v1/forms/{form_id}": {"get", "patch", "delete"},
    "/api/v1/forms/{form_id}/fields": {"post"},
    "/api/v1/forms/{form_id}/fields/{field_id}": {"patch", "delete"},
    "/api/v1/forms/{form_id}/records": {"get", "post"},
    "/api/v1/forms/{form_id}/records/{record_id}": {"get", "patch", "delete"},
    "/api/v1/forms/{form_id}/records/{record_id}/restore": {"post"},
    "/api/v1/forms/{form_id}/records/bulk": {"post"},
    "/api/v1/health": {"get"},
    "/health": {"get"},
}

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "客户名称", "type": "text", "required": True},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "level", "label": "等级", "type": "select", "settings": {"choices": ["A", "B"]}},
    {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["x", "y"]}},
    {"key": "signed", "label": "签约日期", "type": "date", "required": True},
    {"key": "seen", "label": "拜访时间", "type": "datetime"},
    {"key": "vip", "label": "重要", "type": "boolean"},
    {"key": "owner_user", "label": "负责人", "type": "user"},
    {"key": "no", "label": "编号", "type": "autonumber"},
]


def kind(schema: dict[str, Any]) -> Any:
    """The schema's type without the OpenAPI 3.1 "null" alternative of optional values."""
    value = schema["type"]
    if isinstance(value, list):
        assert "null" in value
        rest = [v for v in value if v != "null"]
        return rest[0] if len(rest) == 1 else rest
    return value


def refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from refs(item)


def assert_refs_resolve(doc: dict[str, Any]) -> None:
    schemas = doc.get("components", {}).get("schemas", {})
    for ref in refs(doc):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in schemas, ref


@pytest.mark.parametrize("path", ["/openapi.json", "/api/v1/openapi.json"])
def test_anonymous_document_has_the_static_endpoints(
    client: TestClient, api: Api, path: str
) -> None:
    form = api.make_form(FIELDS)
    response = client.get(path)
    assert response.status_code == 200
    doc = response.json()
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["version"] == __version__
    for route, methods in STATIC_PATHS.items():
        assert route in doc["paths"], route
        assert methods <= set(doc["paths"][route]), route
    assert "/openapi.json" not in doc["paths"] and "/docs" not in doc["paths"]
    # nothing about the forms leaks to an anonymous caller
    assert f"/api/v1/forms/{form['id']}/records" not in doc["paths"]
    assert not [name for name in doc["components"]["schemas"] if re.match(r"Form\d", name)]
    assert "客户名称" not in response.text
    assert_refs_resolve(doc)


def test_wrong_token_gets_the_static_document(client: TestClient, api: Api) -> None:
    form = api.make_form(FIELDS)
    response = client.get("/openapi.json", headers={"Authorization": "Bearer qiao_wrong"})
    assert response.status_code == 200
    assert f"Form{form['id']}Data" not in response.json()["components"]["schemas"]


@pytest.mark.parametrize("path", ["/openapi.json", "/api/v1/openapi.json"])
def test_authenticated_document_describes_each_form(api: Api, path: str) -> None:
    form = api.make_form(FIELDS)
    other = api.make_form([{"key": "title", "label": "标题", "type": "text"}], "商机")
    fid = form["id"]
    doc = api.ok(api.client.get(path, headers=api.headers))
    schemas = doc["components"]["schemas"]
    data = schemas[f"Form{fid}Data"]
    assert data["type"] == "object"
    assert data["title"] == "客户"
    assert data["additionalProperties"] is False
    assert data["required"] == ["name", "signed"]
    props = data["properties"]
    assert list(props) == [f["key"] for f in FIELDS]
    assert kind(props["name"]) == "string" and props["name"]["title"] == "客户名称"
    assert kind(props["amount"]) == "number"
    assert props["level"] == {
        "title": "等级",
        "type": ["string", "null"],
        "enum": ["A", "B", None],
    }
    assert kind(props["tags"]) == "array"
    assert props["tags"]["items"]["enum"] == ["x", "y"]
    assert (kind(props["signed"]), props["signed"]["format"]) == ("string", "date")
    assert (kind(props["seen"]), props["seen"]["format"]) == ("string", "date-time")
    assert kind(props["vip"]) == "boolean"
    assert kind(props["owner_user"]) == "integer"
    assert props["no"]["readOnly"] is True and props["no"]["type"] == "string"

    record = schemas[f"Form{fid}Record"]
    assert record["properties"]["data"] == {"$ref": f"#/components/schemas/Form{fid}Data"}
    assert {"id", "version", "created_at", "updated_at", "owner"} <= set(record["properties"])

    base = f"/api/v1/forms/{fid}/records"
    assert set(doc["paths"][base]) == {"get", "post"}
    assert set(doc["paths"][base + "/{record_id}"]) == {"get", "patch", "delete"}
    create_body = doc["paths"][base]["post"]["requestBody"]["content"]["application/json"]
    assert create_body["schema"]["properties"]["data"]["$ref"].endswith(f"Form{fid}Data")
    patch_body = doc["paths"][base + "/{record_id}"]["patch"]["requestBody"]
    assert patch_body["content"]["application/json"]["schema"]["required"] == ["data", "version"]
    # every form has its own schemas, and the static endpoints are still there
    assert f"Form{other['id']}Data" in schemas
    assert f"/api/v1/forms/{other['id']}/records" in doc["paths"]
    assert "/api/v1/forms/{form_id}/records" in doc["paths"]
    operation_ids = [
        op["operationId"]
        for item in doc["paths"].values()
        for op in item.values()
        if "operationId" in op
    ]
    assert len(operation_ids) == len(set(operation_ids))
    assert_refs_resolve(doc)


def test_document_follows_schema_changes(api: Api) -> None:
    form = api.make_form(FIELDS)
    fid = form["id"]
    level = next(f for f in form["fields"] if f["key"] == "level")
    api.ok(api.patch(f"/forms/{fid}/fields/{level['id']}", {"key": "grade", "label": "级别"}))
    api.ok(
        api.post(f"/forms/{fid}/fields", {"key": "memo", "label": "备注", "type": "textarea"}), 201
    )
    doc = api.ok(api.client.get("/openapi.json", headers=api.headers))
    props = doc["components"]["schemas"][f"Form{fid}Data"]["properties"]
    assert "level" not in props
    assert props["grade"]["title"] == "级别" and props["grade"]["enum"] == ["A", "B", None]
    assert kind(props["memo"]) == "string"

    assert api.delete(f"/forms/{fid}").status_code == 204
    doc = api.ok(api.client.get("/openapi.json", headers=api.headers))
    assert f"Form{fid}Data" not in doc["components"]["schemas"]
    assert f"/api/v1/forms/{fid}/records" not in doc["paths"]


def test_cookie_session_gets_the_form_schemas(client: TestClient, api: Api) -> None:
    form = api.make_form(FIELDS)
    login = client.post(
        "/api/v1/auth/login", json={"username": "admin", "password": "admin-pass-1"}
    )
    assert login.status_code == 200
    doc = client.get("/openapi.json").json()
    assert f"Form{form['id']}Record" in doc["components"]["schemas"]


def test_docs_page_points_at_the_document(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "/openapi.json" in response.text


# ----- health ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/health", "/api/v1/health"])
def test_health(client: TestClient, rt: Runtime, engine_name: str, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__, "database": engine_name}


def test_email_and_url_fields_say_their_format(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "mail", "label": "邮箱", "type": "email"},
            {"key": "site", "label": "网址", "type": "url"},
        ],
        "联系人",
    )
    doc = api.ok(api.client.get("/openapi.json", headers=api.headers))
    props = doc["components"]["schemas"][f"Form{form['id']}Data"]["properties"]
    assert (props["mail"]["format"], props["mail"]["maxLength"]) == ("email", 254)
    assert (props["site"]["format"], props["site"]["maxLength"]) == ("uri", 2048)
