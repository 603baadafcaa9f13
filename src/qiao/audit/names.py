"""Today's names of the users, apps, forms and fields that audit entries point at.

Entries store ids (and the username and field labels of their moment); readers want
names. One query per kind and page, never one per entry. Deleted apps and forms keep
their names here: their entries outlive them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.audit.summary import Names
from qiao.db import schema
from qiao.forms.catalog import Catalog


def _ids(values: Iterable[Any]) -> list[int]:
    return sorted({v for v in values if isinstance(v, int) and not isinstance(v, bool)})


@dataclass
class NameBook:
    users: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (username, name)
    apps: dict[int, str] = field(default_factory=dict)
    forms: dict[int, str] = field(default_factory=dict)
    catalog: Catalog | None = None

    @classmethod
    def load(
        cls, conn: Connection, entries: list[dict[str, Any]], catalog: Catalog | None = None
    ) -> NameBook:
        user_ids: list[Any] = [e.get("user_id") for e in entries]
        for e in entries:
            if e.get("action") == "record_transfer" and isinstance(e.get("details"), dict):
                user_ids += [e["details"].get("before"), e["details"].get("after")]
        book = cls(catalog=catalog)
        u, a, f = schema.users, schema.apps, schema.forms
        if ids := _ids(user_ids):
            rows = conn.execute(
                sa.select(u.c.id, u.c.username, u.c.display_name).where(u.c.id.in_(ids))
            )
            book.users = {r.id: (r.username, r.display_name) for r in rows}
        if ids := _ids(e.get("app_id") for e in entries):
            rows = conn.execute(sa.select(a.c.id, a.c.name).where(a.c.id.in_(ids)))
            book.apps = {r.id: r.name for r in rows}
        if ids := _ids(e.get("form_id") for e in entries):
            rows = conn.execute(sa.select(f.c.id, f.c.name).where(f.c.id.in_(ids)))
            book.forms = {r.id: r.name for r in rows}
        return book

    def user_name(self, user_id: Any) -> str:
        if not isinstance(user_id, int):
            return "—"
        found = self.users.get(user_id)
        return found[1] if found else f"#{user_id}"

    def field_label(self, form_id: int | None, key: str) -> str:
        form = self.catalog.forms.get(form_id) if self.catalog and form_id else None
        for fm in form.fields if form else []:
            if fm.key == key and fm.deleted_at is None:
                return fm.label
        return key

    def names(self) -> Names:
        return Names(user=self.user_name, field_label=self.field_label)
