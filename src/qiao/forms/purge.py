"""Physically remove fields, forms and apps deleted longer ago than the retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from qiao.db import schema
from qiao.forms import ddl
from qiao.forms.catalog import bump_version, load_form
from qiao.runtime import Runtime


def purge_expired(rt: Runtime, now: datetime) -> dict[str, int]:
    cutoff = now - timedelta(days=rt.settings.field_retention_days)

    def purge(conn: Connection) -> dict[str, int]:
        counts = {"fields": 0, "forms": 0, "apps": 0}
        f, fo, ap = schema.fields, schema.forms, schema.apps
        expired_apps = sa.select(ap.c.id).where(
            ap.c.deleted_at.is_not(None), ap.c.deleted_at < cutoff
        )
        # every form of an expired app goes with it (they were all deleted by then)
        expired_forms = sa.select(fo.c.id).where(
            fo.c.deleted_at.is_not(None),
            sa.or_(fo.c.deleted_at < cutoff, fo.c.app_id.in_(expired_apps)),
        )
        for form_id in conn.execute(expired_forms).scalars().all():
            form = load_form(conn, form_id)
            ddl.drop_form_tables(conn, form)
            field_ids = [fm.id for fm in form.fields]
            if field_ids:
                conn.execute(
                    sa.delete(schema.autonumber_counters).where(
                        schema.autonumber_counters.c.field_id.in_(field_ids)
                    )
                )
            conn.execute(sa.delete(f).where(f.c.form_id == form_id))
            conn.execute(sa.delete(fo).where(fo.c.id == form_id))
            counts["forms"] += 1
        expired = conn.execute(
            sa.select(f.c.id, f.c.form_id).where(
                f.c.deleted_at.is_not(None), f.c.deleted_at < cutoff
            )
        ).all()
        for field_id, form_id in expired:
            form = load_form(conn, form_id)
            fm = next(x for x in form.fields if x.id == field_id)
            ddl.drop_field_storage(conn, form, fm)
            conn.execute(
                sa.delete(schema.autonumber_counters).where(
                    schema.autonumber_counters.c.field_id == field_id
                )
            )
            conn.execute(sa.delete(f).where(f.c.id == field_id))
            counts["fields"] += 1
        has_forms = sa.exists().where(fo.c.app_id == ap.c.id)
        counts["apps"] = conn.execute(
            sa.delete(ap).where(ap.c.deleted_at.is_not(None), ap.c.deleted_at < cutoff, ~has_forms)
        ).rowcount
        if counts["fields"] or counts["forms"]:
            bump_version(conn)
        return counts

    return rt.db.write(purge)
