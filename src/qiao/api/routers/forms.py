"""Forms, their fields and schema changes; the field type catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response

from qiao.api.deps import CtxDep, IdPath, RuntimeDep
from qiao.api.json import JSON
from qiao.forms import designer, service, typechange
from qiao.forms.fields import registry
from qiao.forms.inputs import (
    DraftIn,
    FieldIn,
    FieldOrderIn,
    FieldPatch,
    FormPatch,
    PublishIn,
    TypeChangeIn,
)
from qiao.org.permissions import require_user
from qiao.query.operators import operators

router = APIRouter(tags=["forms"])


@router.get("/field-types", summary="Every field type with its settings schema and operators")
def field_types(ctx: CtxDep) -> JSON:
    require_user(ctx)
    items: list[dict[str, Any]] = []
    for ftype in registry.public():
        items.append(
            {
                "type": ftype.key,
                "operators": [
                    {"op": op, "arity": ftype.arity_overrides.get(op) or operators[op].arity}
                    for op in ftype.operators
                ],
                "sortable": ftype.sortable,
                "can_be_unique": ftype.can_be_unique,
                "always_unique": ftype.always_unique,
                "writable": ftype.writable,
                "rule_kinds": list(ftype.rule_kinds),
                "settings_schema": ftype.settings_model.model_json_schema(),
            }
        )
    return JSON({"items": items})


@router.get("/forms/{form_id}", summary="A form with its fields")
def get_form(
    form_id: IdPath, ctx: CtxDep, rt: RuntimeDep, include_deleted_fields: bool = False
) -> JSON:
    return JSON(service.get_form(rt, ctx, form_id, include_deleted_fields))


@router.get("/forms/{form_id}/related", summary="The relation fields pointing at this form")
def related(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON({"items": service.related_fields(rt, ctx, form_id)})


@router.patch("/forms/{form_id}", summary="Rename or describe a form")
def update_form(form_id: IdPath, body: FormPatch, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.update_form(rt, ctx, form_id, body))


@router.delete(
    "/forms/{form_id}", status_code=204, summary="Delete a form (restorable for 30 days)"
)
def delete_form(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_form(rt, ctx, form_id)
    return Response(status_code=204)


@router.post("/forms/{form_id}/restore", summary="Restore a deleted form")
def restore_form(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.restore_form(rt, ctx, form_id))


@router.post("/forms/{form_id}/fields", status_code=201, summary="Add a field")
def add_field(form_id: IdPath, body: FieldIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.add_field(rt, ctx, form_id, body), status_code=201)


@router.put("/forms/{form_id}/fields/order", summary="Reorder the fields")
def reorder(form_id: IdPath, body: FieldOrderIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.reorder_fields(rt, ctx, form_id, body))


@router.patch(
    "/forms/{form_id}/fields/{field_id}",
    summary="Change a field (a new type converts the data, see type-change)",
)
def update_field(
    form_id: IdPath, field_id: IdPath, body: FieldPatch, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(service.update_field(rt, ctx, form_id, field_id, body))


@router.delete(
    "/forms/{form_id}/fields/{field_id}",
    status_code=204,
    summary="Delete a field (its data is kept for 30 days)",
)
def delete_field(form_id: IdPath, field_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    service.delete_field(rt, ctx, form_id, field_id)
    return Response(status_code=204)


@router.post("/forms/{form_id}/fields/{field_id}/restore", summary="Restore a deleted field")
def restore_field(form_id: IdPath, field_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(service.restore_field(rt, ctx, form_id, field_id))


@router.post(
    "/forms/{form_id}/fields/{field_id}/type-change/preview",
    summary="How many values would convert to a new type, and which would not",
)
def type_change_preview(
    form_id: IdPath, field_id: IdPath, body: TypeChangeIn, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(typechange.preview(rt, ctx, form_id, field_id, body))


@router.post(
    "/forms/{form_id}/fields/{field_id}/type-change",
    summary="Convert a field to a new type (old values kept as a deleted field)",
)
def type_change(
    form_id: IdPath, field_id: IdPath, body: TypeChangeIn, ctx: CtxDep, rt: RuntimeDep
) -> JSON:
    return JSON(typechange.apply(rt, ctx, form_id, field_id, body))


@router.put("/forms/{form_id}/draft", summary="Save the designer's draft of a form")
def save_draft(form_id: IdPath, body: DraftIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(designer.save_draft(rt, ctx, form_id, body))


@router.delete("/forms/{form_id}/draft", status_code=204, summary="Discard the designer's draft")
def discard_draft(form_id: IdPath, ctx: CtxDep, rt: RuntimeDep) -> Response:
    designer.discard_draft(rt, ctx, form_id)
    return Response(status_code=204)


@router.post(
    "/forms/{form_id}/publish",
    summary="Apply a designed form (fields, order, layout) in one transaction",
)
def publish(form_id: IdPath, body: PublishIn, ctx: CtxDep, rt: RuntimeDep) -> JSON:
    return JSON(designer.publish(rt, ctx, form_id, body))
