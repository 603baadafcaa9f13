"""Sorting (``sort=-amount,name``) and keyset pagination cursors.

NULL sorts as the smallest value on both engines. The record id is always the last
key so that the order is total and a cursor names an exact position. A cursor carries
the last row's sort values and is signed together with the query it belongs to, so
it cannot be replayed against another filter or order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from qiao.db.dialect import order_by
from qiao.errors import BadRequest, ErrorDetail

if TYPE_CHECKING:
    from qiao.forms.model import FieldMeta, FormMeta

MAX_SORT_KEYS = 5
DEFAULT_SORT = "-id"


@dataclass(frozen=True)
class SortKey:
    field: FieldMeta
    descending: bool
    expr: sa.ColumnElement[Any]


def parse_sort(form: FormMeta, text: str | None) -> list[SortKey]:
    spec = [part.strip() for part in (text or DEFAULT_SORT).split(",") if part.strip()]
    if not spec or len(spec) > MAX_SORT_KEYS:
        raise BadRequest(
            "invalid_sort", details=[ErrorDetail("sort", "invalid_sort", {"key": text})], key=text
        )
    keys: list[SortKey] = []
    for part in spec:
        descending = part.startswith("-")
        key = part.lstrip("+-")
        fm = form.field_or_system(key)
        if fm is None or not fm.ftype.is_sortable(fm) or any(k.field.key == key for k in keys):
            raise BadRequest(
                "invalid_sort", details=[ErrorDetail("sort", "invalid_sort", {"key": key})], key=key
            )
        expr = fm.ftype.sort_expr(fm, form.table.c[fm.column_name])
        keys.append(SortKey(fm, descending, expr))
    if keys[-1].field.key != "id":
        id_field = form.system_fields["id"]
        keys = [k for k in keys if k.field.key != "id"]
        keys.append(SortKey(id_field, keys[-1].descending if keys else True, form.table.c.id))
    return keys


def order_clauses(keys: list[SortKey], sqlite: bool) -> list[Any]:
    return [order_by(k.expr, k.descending, sqlite) for k in keys]


def _never_null(expr: sa.ColumnElement[Any]) -> bool:
    """A column that cannot hold NULL (the primary key, NOT NULL system columns)."""
    return bool(getattr(expr, "primary_key", False)) or getattr(expr, "nullable", True) is False


def _after(key: SortKey, value: Any) -> sa.ColumnElement[bool]:
    """Rows strictly after ``value`` in this key's order (NULL smallest). On a column
    that cannot be NULL the condition is a plain comparison: ``id < ? OR id IS NULL``
    keeps SQLite from seeking in the primary key, so each page of a long list (an export
    of a million records) would scan every row before it."""
    expr = key.expr
    if key.descending:
        if value is None:
            return sa.false()
        return expr < value if _never_null(expr) else sa.or_(expr < value, expr.is_(None))
    return expr.is_not(None) if value is None else expr > value


def _same(key: SortKey, value: Any) -> sa.ColumnElement[bool]:
    return key.expr.is_(None) if value is None else key.expr == value


def keyset_condition(keys: list[SortKey], values: list[Any]) -> sa.ColumnElement[bool]:
    """Lexicographic 'after this row' over all keys."""
    alternatives = []
    for i, key in enumerate(keys):
        prefix = [_same(keys[j], values[j]) for j in range(i)]
        alternatives.append(sa.and_(*prefix, _after(key, values[i])))
    return sa.or_(*alternatives)


# ----- cursor encoding -------------------------------------------------------------------
def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if "t" in value:
            return datetime.fromisoformat(value["t"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
        raise ValueError("bad cursor value")
    return value


def _signature(secret: str, scope: str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{scope}\n{body}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:12]).decode().rstrip("=")


def encode_cursor(values: list[Any], secret: str, scope: str) -> str:
    body = json.dumps([_tag(v) for v in values], separators=(",", ":"), ensure_ascii=False)
    payload = base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")
    return f"{payload}.{_signature(secret, scope, body)}"


def decode_cursor(cursor: str, secret: str, scope: str, count: int) -> list[Any]:
    invalid = BadRequest("invalid_cursor", details=[ErrorDetail("cursor", "invalid_cursor")])
    try:
        payload, signature = cursor.rsplit(".", 1)
        body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()
        if not hmac.compare_digest(signature, _signature(secret, scope, body)):
            raise invalid
        values = [_untag(v) for v in json.loads(body)]
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if len(values) != count:
        raise invalid
    return values
