"""The one filter language: a JSON tree compiled to a SQLAlchemy condition.

    {"and": [node, ...]} | {"or": [node, ...]} | {"not": node}
    | {"field": key, "op": operator, "value": ...}

Every problem is collected and reported at once, each naming the field (or the node's
path when the node itself is malformed) and the rule. Values are always bound
parameters: no user string becomes SQL text.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.errors import BadRequest, ErrorDetail, FieldValueError
from qiao.forms.fields.base import FilterTarget, Storage
from qiao.forms.fields.subform import child_fields
from qiao.query.operators import operators

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta, FormMeta

MAX_DEPTH = 10
MAX_CONDITIONS = 200
MAX_LIST = 1000
_LEAF_KEYS = {"field", "op", "value"}


def parse_filter_param(text: str | None) -> Any:
    """Decode the ``filter`` query parameter (JSON)."""
    if text is None or not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise BadRequest(
            "invalid_filter", details=[ErrorDetail("filter", "filter_not_json")]
        ) from exc


class _Compiler:
    def __init__(self, form: FormMeta, ctx: Ctx) -> None:
        self.form = form
        self.ctx = ctx
        self.errors: list[ErrorDetail] = []
        self.conditions = 0

    def fail(self, where: str, code: str, **params: Any) -> sa.ColumnElement[bool]:
        self.errors.append(ErrorDetail(where, code, params))
        return sa.false()

    def node(self, node: Any, path: str, depth: int) -> sa.ColumnElement[bool]:
        if depth > MAX_DEPTH:
            return self.fail(path, "filter_too_deep", max=MAX_DEPTH)
        if not isinstance(node, dict):
            return self.fail(path, "filter_shape")
        if len(node) == 1 and ("and" in node or "or" in node):
            group = "and" if "and" in node else "or"
            children = node[group]
            if not isinstance(children, list):
                return self.fail(f"{path}.{group}", "filter_shape")
            parts = [
                self.node(c, f"{path}.{group}[{i}]", depth + 1) for i, c in enumerate(children)
            ]
            if not parts:
                return sa.true()
            return sa.and_(*parts) if group == "and" else sa.or_(*parts)
        if len(node) == 1 and "not" in node:
            inner = self.node(node["not"], f"{path}.not", depth + 1)
            # SQL's NOT of an unknown (a comparison with an empty value) is unknown, which
            # would drop empty records from "not X"; the complement must keep them.
            return sa.not_(sa.func.coalesce(inner, sa.false(), type_=sa.Boolean()))
        if "field" in node and "op" in node and set(node) <= _LEAF_KEYS:
            return self.leaf(node, path)
        return self.fail(path, "filter_shape")

    def leaf(self, node: dict[str, Any], path: str) -> sa.ColumnElement[bool]:
        self.conditions += 1
        if self.conditions > MAX_CONDITIONS:
            return self.fail(path, "filter_too_large", max=MAX_CONDITIONS)
        key, op = node["field"], node["op"]
        fm = self.form.field_or_system(key) if isinstance(key, str) else None
        parent = None
        if fm is None and isinstance(key, str) and "." in key:
            parent, fm = self.child_column(key)
        if fm is None:
            return self.fail(f"{path}.field", "filter_unknown_field", key=str(key))
        ftype = fm.ftype
        allowed = ftype.operators_for(fm)
        if not isinstance(op, str) or op not in allowed:
            return self.fail(
                key, "filter_unsupported_op", label=fm.label, op=str(op), ops=", ".join(allowed)
            )
        arity = ftype.arity_for(fm, op) or operators[op].arity
        try:
            operand = self.operand(fm, op, arity, node.get("value"), "value" in node)
        except FieldValueError as exc:
            # the operand errors carry ``op`` themselves: merge, never pass it twice
            return self.fail(key, exc.code, **{"label": fm.label, "op": op, **exc.params})
        table = self.form.table
        if parent is not None:
            # "lines.product": some row of the sub-form matches (EXISTS over its rows)
            rows = self.form.children[parent.id]
            cell = FilterTarget(column=rows.c[fm.column_name], record_id=rows.c.id)
            matches = ftype.compile_filter(fm, op, operand, cell, self.ctx)
            return sa.exists(
                sa.select(sa.literal(1)).where(rows.c.record_id == table.c.id, matches)
            )
        target = FilterTarget(
            column=table.c[fm.column_name] if fm.storage is Storage.COLUMN else None,
            record_id=table.c.id,
            junction=self.form.junctions.get(fm.id),
        )
        return ftype.compile_filter(fm, op, operand, target, self.ctx)

    def child_column(self, key: str) -> tuple[FieldMeta | None, FieldMeta | None]:
        """``lines.product``: the sub-form field and its column, or (None, None)."""
        head, _, tail = key.partition(".")
        parent = self.form.by_key.get(head)
        if parent is None or parent.storage is not Storage.CHILD:
            return None, None
        column = next((c for c in child_fields(parent) if c.key == tail), None)
        return (parent, column) if column is not None else (None, None)

    def operand(self, fm: FieldMeta, op: str, arity: str, value: Any, given: bool) -> Any:
        coerce = fm.ftype.filter_operand
        if arity == "none":
            if given and value is not None:
                raise FieldValueError("filter_value_forbidden", op=op)
            return None
        if arity == "days":
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
                raise FieldValueError("filter_value_days", op=op)
            return value
        if arity == "object":  # a type's own structured operand, e.g. {lat, lng, km}
            if not isinstance(value, dict):
                raise FieldValueError("filter_value_object", op=op)
            return coerce(fm, op, value, self.ctx)
        if arity == "pair":
            if not isinstance(value, list) or len(value) != 2 or None in value:
                raise FieldValueError("filter_value_pair")
            return [coerce(fm, op, v, self.ctx) for v in value]
        if arity == "list" or (arity == "one_or_list" and isinstance(value, list)):
            if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST or None in value:
                raise FieldValueError("filter_value_list", op=op, max=MAX_LIST)
            return [coerce(fm, op, v, self.ctx) for v in value]
        if value is None or isinstance(value, list | dict):
            raise FieldValueError("filter_value_required", op=op)
        return coerce(fm, op, value, self.ctx)


def compile_filter(form: FormMeta, tree: Any, ctx: Ctx) -> sa.ColumnElement[bool] | None:
    """Compile a filter tree for ``form``; ``None`` for no filter. Raises BadRequest."""
    if tree is None:
        return None
    compiler = _Compiler(form, ctx)
    condition = compiler.node(tree, "filter", 0)
    if compiler.errors:
        raise BadRequest("invalid_filter", details=compiler.errors)
    return condition
