"""The formula language for the designer: the documented function library, and a
sample evaluation of a formula against fields and values the caller describes.

Neither touches the database: the library is static, and the evaluation's
environment is built from the request (``DictEnvironment``), so any logged-in user may
call them; checking a formula against a real form is the formula fields' business.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from qiao.api.deps import CtxDep
from qiao.api.errors import error_body
from qiao.api.json import JSON
from qiao.errors import ErrorDetail
from qiao.formula import (
    DictEnvironment,
    ErrorValue,
    EvalContext,
    FormulaError,
    Kind,
    check,
    display,
    evaluate,
)
from qiao.formula.parser import MAX_LENGTH
from qiao.formula.registry import load_all
from qiao.formula.values import Value, parse_date_text, parse_number_text
from qiao.org.permissions import require_user

router = APIRouter(tags=["formula"])


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


_Scalar = bool | int | float | str | None


class SampleField(_In):
    key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z_][A-Za-z0-9_.]*$")
    label: str | None = Field(default=None, max_length=200)
    kind: Kind = Kind.ANY
    many: bool = False


class EvaluateIn(_In):
    formula: str = Field(max_length=MAX_LENGTH)
    fields: list[SampleField] = Field(default_factory=list, max_length=500)
    #: field key (dotted for a path) -> value; a list for a range
    values: dict[str, _Scalar | list[_Scalar]] = Field(default_factory=dict, max_length=500)


@router.get("/formula/functions", summary="The formula function library, documented")
def list_functions(ctx: CtxDep) -> JSON:
    require_user(ctx)
    items = [
        {
            "name": d.name,
            "category": str(d.category),
            "signature": d.signature(),
            "summary": d.summary.get(ctx.locale) or d.summary["zh-CN"],
            "returns": str(d.returns),
            "examples": [{"formula": e.formula, "result": e.result} for e in d.examples],
        }
        for d in load_all().all()
    ]
    return JSON({"items": items})


def _value(raw: Any, kind: Kind) -> Value:
    """A JSON value as a formula sees it: exact numbers, typed dates."""
    if isinstance(raw, list):
        return [_value(item, kind) for item in raw]
    if isinstance(raw, bool) or raw is None:
        return raw
    if isinstance(raw, int | float):
        number = Decimal(str(raw))
        return number if number.is_finite() else ErrorValue.NUM  # JSON's NaN, Infinity
    if isinstance(raw, str):
        if kind in (Kind.DATE, Kind.DATETIME):
            parsed = parse_date_text(raw)
            if parsed is not None:
                return parsed
        if kind == Kind.NUMBER:
            read = parse_number_text(raw)
            return read if read is not None else raw
    return raw


def _json(value: Value) -> Any:
    if isinstance(value, ErrorValue):
        return value.value
    if isinstance(value, list):
        return [_json(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


@router.post("/formula/evaluate", summary="Check a formula and evaluate it on sample values")
def evaluate_formula(body: EvaluateIn, ctx: CtxDep) -> JSON:
    require_user(ctx)
    env = DictEnvironment(f.model_dump() for f in body.fields)
    kinds = {f.key: f.kind for f in body.fields}
    try:
        checked = check(body.formula, env)
    except FormulaError as error:
        return _problems(error, ctx.locale)
    lookup = {
        tuple(key.split(".")): _value(raw, kinds.get(key, Kind.ANY))
        for key, raw in body.values.items()
    }
    result = evaluate(checked, lookup, EvalContext(now=ctx.now(), tz=ctx.tz, locale=ctx.locale))
    return JSON(
        {
            "kind": str(checked.kind),
            "value": _json(result),
            "display": display(result),
            "error": isinstance(result, ErrorValue),
            "text": checked.text,
            "display_text": checked.display_text,
            "references": sorted(".".join(path) for path in checked.references),
            "volatile": checked.volatile,
        }
    )


def _problems(error: FormulaError, locale: str) -> JSON:
    """The usual 422 error shape, each detail also giving the span it applies to."""
    details = [ErrorDetail("formula", p.code, p.params) for p in error.problems]
    body = error_body(error.code, locale, {}, details)
    for entry, problem in zip(body["error"]["details"], error.problems, strict=True):
        entry["start"] = problem.start
        entry["end"] = problem.end
        entry["params"] = problem.params
    return JSON(body, status_code=422)
