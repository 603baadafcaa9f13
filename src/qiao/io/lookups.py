"""Text → ids look-ups for fields that hold references: relation (records of another
form, by their title), user (members, by display name or username) and department (by
name or path "总部/销售部").

Built once per import: one query per field (streamed), never one per row. Record titles
are read through the permission layer: records outside the user's view scope, and title
fields hidden or masked from them, match nothing — an import cannot be used to probe
data the user may not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.forms.fields.base import Storage
from qiao.forms.layout import default_title_field
from qiao.io.parsing import normalize_text

if TYPE_CHECKING:
    from qiao.context import Ctx
    from qiao.forms.model import FieldMeta, FormMeta
    from qiao.runtime import Runtime

Entries = Iterable[tuple[str, int]]
Loader = Callable[["Runtime", Connection, "Ctx", "FieldMeta"], Entries]
_LOADERS: dict[str, Loader] = {}


def match_key(text: str) -> str:
    """How display texts are compared: width, case and white space do not count."""
    return "".join(normalize_text(text).casefold().split())


def index_loader(*types: str) -> Callable[[Loader], Loader]:
    """Register the loader of (text, id) pairs for fields of these types."""

    def register(fn: Loader) -> Loader:
        for key in types:
            _LOADERS[key] = fn
        return fn

    return register


def indexed_types() -> frozenset[str]:
    """Field types whose cells are matched against a :class:`RelationIndex`."""
    return frozenset(_LOADERS)


class RelationIndex:
    """For each reference field of an import: normalised display text → ids."""

    def __init__(self, maps: dict[str, dict[str, list[int]]] | None = None) -> None:
        self._maps = maps or {}

    @classmethod
    def load(
        cls,
        rt: Runtime,
        conn: Connection,
        ctx: Ctx,
        form: FormMeta,
        field_keys: list[str],
        texts: dict[str, set[str]] | None = None,
    ) -> RelationIndex:
        """Index the fields among ``field_keys`` that hold references (other keys are
        ignored, so the mapped keys can be passed as they are). With ``texts`` (field key
        → the cell texts of the file) only those texts are kept in memory."""
        maps: dict[str, dict[str, list[int]]] = {}
        for key in dict.fromkeys(field_keys):
            fm = form.by_key.get(key)
            loader = _LOADERS.get(fm.type) if fm is not None else None
            if fm is None or loader is None:
                continue
            wanted = {match_key(t) for t in texts[key]} if texts and key in texts else None
            table: dict[str, list[int]] = {}
            for text, ref in loader(rt, conn, ctx, fm):
                norm = match_key(text)
                if norm and (wanted is None or norm in wanted):
                    ids = table.setdefault(norm, [])
                    if ref not in ids:
                        ids.append(ref)
            maps[key] = table
        return cls(maps)

    @staticmethod
    def indexes(fm: FieldMeta) -> bool:
        """Whether a column of this field is matched through the index."""
        return fm.type in _LOADERS

    def has(self, field_key: str) -> bool:
        return field_key in self._maps

    def match(self, field_key: str, text: str) -> list[int]:
        """Ids whose display text equals ``text`` (normalised); [] when none."""
        table = self._maps.get(field_key)
        if table is None:
            return []
        return table.get(match_key(text), [])


@index_loader("relation")
def _record_titles(rt: Runtime, conn: Connection, ctx: Ctx, fm: FieldMeta) -> Entries:
    from qiao.org.access import form_access

    target_id = int(getattr(fm.settings, "target_form_id", 0))
    access = form_access(conn, ctx, rt.form(conn, target_id))
    if not access.can("view"):
        return
    form = access.visible_form()
    wanted = getattr(fm.settings, "display_field", None)
    key = wanted if wanted in form.by_key else default_title_field(access.form)
    title = form.by_key.get(key) if key else None
    if title is not None and (access.rule(title).masked or title.storage is not Storage.COLUMN):
        title = None  # masked or multi-valued titles: only "#id" can be matched
    table = form.table
    cols: list[Any] = [table.c.id]
    if title is not None:
        cols.append(table.c[title.column_name])
    query = sa.select(*cols).where(table.c.deleted_at.is_(None), *access.scope_clauses("view"))
    for row in conn.execute(query.execution_options(yield_per=5000)):
        yield f"#{row[0]}", row[0]
        if title is not None and row[1] is not None:
            yield title.ftype.display(title, row[1], ctx), row[0]


@index_loader("user")
def _members(rt: Runtime, conn: Connection, ctx: Ctx, fm: FieldMeta) -> Entries:
    u = schema.users
    query = sa.select(u.c.id, u.c.username, u.c.display_name).where(u.c.is_active)
    for uid, username, name in conn.execute(query):
        yield name, uid
        yield username, uid


@index_loader("department")
def _departments(rt: Runtime, conn: Connection, ctx: Ctx, fm: FieldMeta) -> Entries:
    d = schema.departments
    rows = conn.execute(sa.select(d.c.id, d.c.name, d.c.path)).all()
    names = {r.id: r.name for r in rows}
    for r in rows:
        yield r.name, r.id
        parts = [p for p in str(r.path).strip("/").split("/") if p]
        path = "/".join(names.get(int(p), "?") for p in parts)
        if path != r.name:
            yield path, r.id
