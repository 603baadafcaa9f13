"""Exports in flat memory: 50,000 records to XLSX and to CSV, with the Python heap's
peak growth measured by tracemalloc (what the exporter itself allocates, not the
allocator's or SQLite's caches, so the bound does not depend on the machine).

A list of 50,000 records held in memory would take about a hundred MB; the export keeps one
page (``PAGE`` records) and xlsxwriter's current row, so the peak stays a few MB whatever
the number of records — the test bounds it at 40 MB and also checks it does not grow
with the row count (50,000 rows vs 5,000 rows; a quarter of that on PostgreSQL). The
million-row run with the process's peak RSS is ``bench/exports.py``."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from qiao.context import Ctx
from qiao.forms import apps, service
from qiao.forms.inputs import AppIn, FieldIn, FormIn
from qiao.io.exports import ExportRequest, export_to_file
from qiao.runtime import Runtime

ROWS = 50_000  # kept small for the suite's time (tracemalloc slows Python down)
FIELDS = [
    FieldIn(key="name", label="客户名称", type="text"),
    FieldIn(key="phone", label="电话", type="phone"),
    FieldIn(key="amount", label="金额", type="money"),
    FieldIn(key="signed", label="签约日期", type="date"),
    FieldIn(key="visited", label="最近拜访", type="datetime"),
    FieldIn(key="note", label="备注", type="textarea"),
]


def seed(rt: Runtime, ctx: Ctx, count: int) -> int:
    """A form with ``count`` records inserted straight into its table (stored form)."""
    app_id = apps.create_app(rt, ctx, AppIn(name="CRM"))["id"]
    form_id = int(service.create_form(rt, ctx, app_id, FormIn(name="客户", fields=FIELDS))["id"])
    with rt.db.read() as conn:
        form = rt.form(conn, form_id)
    col = {f.key: f.column_name for f in form.live_fields}
    amount = form.by_key["amount"]
    stored = [amount.ftype.to_storage(amount, f"{n}.25", ctx) for n in range(100)]
    now = datetime(2024, 1, 1, tzinfo=UTC)
    user = ctx.user_id
    done = 0
    while done < count:
        size = min(20_000, count - done)
        rows = [
            {
                "created_at": now,
                "updated_at": now,
                "created_by": user,
                "updated_by": user,
                "owner": user,
                "version": 1,
                col["name"]: f"客户{i}号有限公司",
                col["phone"]: f"138{i:08d}",
                col["amount"]: stored[i % 100],
                col["signed"]: date(2020, 1, 1) + timedelta(days=i % 1500),
                col["visited"]: now + timedelta(minutes=i),
                col["note"]: "=1+1 备注" if i % 1000 == 0 else "跟进中，下周再联系。",
            }
            for i in range(done, done + size)
        ]
        rt.db.write(lambda conn, rows=rows: conn.execute(form.table.insert(), rows))
        done += size
    return form_id


def peak_growth(run: Callable[[], Any]) -> tuple[Any, int]:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        result = run()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return result, peak


def test_export_memory_stays_flat(rt: Runtime, ctx: Ctx, tmp_path: Path, engine_name: str) -> None:
    # the Python side is the same on both engines: the full count on SQLite, a quarter
    # on PostgreSQL (its driver's buffering per page is what that run covers)
    rows = ROWS if engine_name == "sqlite" else ROWS // 4
    form_id = seed(rt, ctx, rows)
    mib = 1024 * 1024

    def run(fmt: str, target: Path, limit: int | None) -> int:
        req = ExportRequest(format=fmt, sort="id")  # type: ignore[arg-type]
        if limit is not None:
            req.filter = {"field": "id", "op": "lte", "value": limit}
        return export_to_file(rt, ctx, form_id, req, str(target))[1]

    for fmt in ("xlsx", "csv"):
        path, small = tmp_path / f"out.{fmt}", tmp_path / f"small.{fmt}"
        count_small, peak_small = peak_growth(partial(run, fmt, small, rows // 10))
        count, peak = peak_growth(partial(run, fmt, path, None))
        print(f"{engine_name} {fmt} {rows:,} rows: peak +{peak / mib:.1f} MiB", end=" ")
        print(f"({rows // 10:,} rows: +{peak_small / mib:.1f} MiB)")
        assert (count_small, count) == (rows // 10, rows)
        assert peak < 40 * mib
        # ten times the rows, not ten times the memory
        assert peak < peak_small * 1.5 + 4 * mib

        if fmt == "xlsx":
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
            assert len(sheet) == rows + 1
            assert sheet[1][3] == "客户0号有限公司" and sheet[1][5] == 0.25
            assert sheet[1][6] in (date(2020, 1, 1), datetime(2020, 1, 1))
            assert sheet[1][8] == "'=1+1 备注"
            assert sheet[-1][3] == f"客户{rows - 1}号有限公司"
        else:
            with path.open(encoding="utf-8-sig") as fh:
                assert sum(1 for _ in fh) == rows + 1
