"""OpenAPI document with a concrete record schema for every form.

The static part comes from FastAPI; for an authenticated caller each live form adds
``Form<id>Data`` / ``Form<id>Record`` schemas, generated from its fields' types, and
concrete paths ``/api/v1/forms/<id>/records[/{record_id}]`` that use them.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI, Request

from qiao.api.deps import get_ctx
from qiao.api.json import JSON
from qiao.errors import QiaoError
from qiao.forms.model import FormMeta
from qiao.runtime import Runtime

API = "/api/v1"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """OpenAPI 3.1 (JSON Schema) spelling of 'may be null'."""
    kind = schema.get("type")
    if isinstance(kind, str) and kind != "array":
        result = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            result["enum"] = [*schema["enum"], None]
        return result
    return schema


def form_schemas(form: FormMeta) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required = []
    for fm in form.live_fields:
        schema = {"title": fm.label, **fm.ftype.json_schema(fm)}
        if fm.ftype.writable:
            schema = nullable(schema)
        properties[fm.key] = schema
        if fm.required:
            required.append(fm.key)
    data = {
        "type": "object",
        "title": form.name,
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        data["required"] = required
    record = {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "version": {"type": "integer"},
            "created_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
            "created_by": {"type": ["integer", "null"]},
            "updated_by": {"type": ["integer", "null"]},
            "owner": {"type": ["integer", "null"]},
            "data": _ref(f"Form{form.id}Data"),
        },
    }
    return {f"Form{form.id}Data": data, f"Form{form.id}Record": record}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def form_paths(form: FormMeta) -> dict[str, Any]:
    data, record = _ref(f"Form{form.id}Data"), _ref(f"Form{form.id}Record")
    tag = f"form {form.id}: {form.name}"
    page = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": record},
            "total": {"type": ["integer", "null"]},
            "next_cursor": {"type": ["string", "null"]},
        },
    }
    record_id = [
        {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    ]
    base = f"{API}/forms/{form.id}/records"
    return {
        base: {
            "get": {
                "tags": [tag],
                "summary": f"List {form.name}",
                "operationId": f"list_form_{form.id}",
                "responses": {"200": {"description": "a page", **_json(page)}},
            },
            "post": {
                "tags": [tag],
                "summary": f"Create a {form.name} record",
                "operationId": f"create_form_{form.id}",
                "requestBody": {
                    "required": True,
                    **_json({"type": "object", "properties": {"data": data}, "required": ["data"]}),
                },
                "responses": {"201": {"description": "created", **_json(record)}},
            },
        },
        base + "/{record_id}": {
            "get": {
                "tags": [tag],
                "operationId": f"get_form_{form.id}",
                "parameters": record_id,
                "responses": {"200": {"description": "the record", **_json(record)}},
            },
            "patch": {
                "tags": [tag],
                "operationId": f"update_form_{form.id}",
                "parameters": record_id,
                "requestBody": {
                    "required": True,
                    **_json(
                        {
                            "type": "object",
                            "properties": {"data": data, "version": {"type": "integer"}},
                            "required": ["data", "version"],
                        }
                    ),
                },
                "responses": {"200": {"description": "updated", **_json(record)}},
            },
            "delete": {
                "tags": [tag],
                "operationId": f"delete_form_{form.id}",
                "parameters": record_id,
                "responses": {"204": {"description": "deleted"}},
            },
        },
    }


def install(app: FastAPI) -> None:
    def document(request: Request) -> JSON:
        rt: Runtime = request.app.state.runtime
        doc = copy.deepcopy(app.openapi())
        try:
            ctx = get_ctx(request, rt)
        except QiaoError:
            ctx = None
        if ctx is not None and ctx.user is not None:
            schemas = doc.setdefault("components", {}).setdefault("schemas", {})
            for form in rt.catalog().forms.values():
                if form.deleted_at is None:
                    schemas.update(form_schemas(form))
                    doc["paths"].update(form_paths(form))
        return JSON(doc)

    app.add_api_route("/openapi.json", document, include_in_schema=False)
    app.add_api_route(f"{API}/openapi.json", document, include_in_schema=False)
