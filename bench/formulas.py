"""Formula benchmark: recomputing a formula field over a large form, and saving a record
with many formula fields and a sub-form, each beside raw SQL doing the same work.

Run with ``make bench`` (or ``.venv/bin/python bench/formulas.py --rows 100000`` while
developing). For each engine (SQLite file, PostgreSQL database ``qiao_bench_formula``):

1. **Recompute**: a form with ``qty`` (number), ``price`` (money) and a formula
   ``amount = qty * price * (1 - 10%)``; ``--rows`` records (default 1,000,000) are
   seeded with one INSERT … SELECT over a row generator, so their ``amount`` is empty.
   qiao recomputes the field the way a publish does on a large form: a ``recompute``
   job run by the worker (keyset batches of 2,000 records, each batch one transaction
   with the job's progress). Raw SQL: one ``UPDATE … SET amount = qty * price * 0.9``
   on the scaled integers. Both results are compared before the ratio is printed.
2. **Save**: a form with 10 formula fields (arithmetic, IF, ROUND, text, a sub-form
   total) and a sub-form of quote lines (qty, price, a row formula subtotal); ``--saves``
   creates through ``qiao.records.service.create_record`` (permissions, validation,
   computation, audit — in process) of a record with 50 lines, against raw SQL inserting
   the same parent row and 50 child rows (values computed in Python beforehand) in one
   transaction.

Results are printed and written to ``bench/results/formulas-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.records import git_revision  # noqa: E402
from qiao import jobs  # noqa: E402
from qiao.config import Settings  # noqa: E402
from qiao.context import Ctx, utcnow  # noqa: E402
from qiao.db.engine import make_engine  # noqa: E402
from qiao.db.migrate import upgrade  # noqa: E402
from qiao.db.types import UTCDateTime  # noqa: E402
from qiao.db.uow import Database  # noqa: E402
from qiao.forms.apps import create_app  # noqa: E402
from qiao.forms.catalog import SchemaCache  # noqa: E402
from qiao.forms.inputs import AppIn, FieldIn, FormIn  # noqa: E402
from qiao.forms.service import create_form  # noqa: E402
from qiao.org import users  # noqa: E402
from qiao.records import service  # noqa: E402
from qiao.runtime import Runtime  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PG_BASE = "postgresql://postgres@127.0.0.1:5432"
console = Console()
SCALE = 10**6

RECOMPUTE_FIELDS = [
    FieldIn(key="qty", label="数量", type="number"),
    FieldIn(key="price", label="单价", type="money"),
    FieldIn(
        key="amount",
        label="金额",
        type="formula",
        settings={"expression": "qty * price * (1 - 10%)", "precision": 2},
    ),
]
LINES = FieldIn(
    key="lines",
    label="明细",
    type="subform",
    settings={
        "columns": [
            {"key": "product", "label": "产品", "type": "text"},
            {"key": "qty", "label": "数量", "type": "number"},
            {"key": "price", "label": "单价", "type": "money"},
            {
                "key": "subtotal",
                "label": "小计",
                "type": "formula",
                "settings": {"expression": "qty * price"},
            },
        ]
    },
)
SAVE_FORMULAS = {
    "total": "SUM(lines.subtotal)",
    "tax": "ROUND(total * 0.13, 2)",
    "gross": "total + tax",
    "discounted": "gross * (1 - discount)",
    "level": 'IF(gross > 10000, "大单", IF(gross > 1000, "中单", "小单"))',
    "lines_count": "COUNT(lines.qty)",
    "avg_price": "AVERAGE(lines.price)",
    "title": 'customer & " " & level',
    "big": "gross > 5000",
    "rounded": "ROUNDUP(discounted, -2)",
}


def engine_url(kind: str, workdir: Path, pg_db: str) -> tuple[str, Any]:
    if kind == "sqlite":
        path = workdir / "formulas.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", None
    admin = sa.create_engine(
        PG_BASE.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{pg_db}"')
    return f"{PG_BASE}/{pg_db}", admin


def make_runtime(url: str, workdir: Path, app_name: str = "公式基准") -> tuple[Runtime, Ctx, int]:
    """A runtime on a migrated database with an administrator and one app (the start of
    every benchmark that works through qiao's services)."""
    settings = Settings(data_dir=workdir / "data", database_url=url, secret_key="bench-secret-key")
    engine = make_engine(url)
    upgrade(engine)
    rt = Runtime(settings, Database(engine), SchemaCache())
    admin = rt.db.write(
        lambda c: users.create_user(c, "admin", "bench-admin-pass-1", is_admin=True)
    )
    ctx = Ctx(user=admin, tz=rt.tz)
    app = create_app(rt, ctx, AppIn(name=app_name))
    return rt, ctx, int(app["id"])


def columns_of(rt: Runtime, form_id: int) -> tuple[sa.Table, dict[str, str]]:
    form = rt.catalog().forms[form_id]
    return form.table, {f.key: f.column_name for f in form.live_fields}


def seed(rt: Runtime, table: sa.Table, cols: dict[str, str], rows: int, owner: int) -> float:
    """INSERT … SELECT over a generated series: qty 1..100, price 1..99,999 (money is
    stored × 10^4)."""
    start = time.perf_counter()
    now = utcnow()
    qty, price = cols["qty"], cols["price"]
    now_param = sa.bindparam("now", type_=UTCDateTime())
    with rt.db.engine.begin() as conn:
        if rt.db.is_sqlite:
            conn.execute(
                sa.text(
                    f"WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < :n) "
                    f'INSERT INTO "{table.name}" (created_at, updated_at, created_by, updated_by, '
                    f"owner, version, {qty}, {price}) "
                    f"SELECT :now, :now, :o, :o, :o, 1, (i % 100 + 1) * {SCALE}, "
                    f"((i * 7919) % 99999 + 1) * 10000 FROM s"
                ).bindparams(now_param),
                {"n": rows, "now": now, "o": owner},
            )
        else:
            conn.execute(
                sa.text(
                    f'INSERT INTO "{table.name}" (created_at, updated_at, created_by, updated_by, '
                    f"owner, version, {qty}, {price}) "
                    f"SELECT :now, :now, :o, :o, :o, 1, (i % 100 + 1) * {SCALE}, "
                    f"((i * 7919) % 99999 + 1) * 10000 FROM generate_series(1::bigint, :n) AS i"
                ).bindparams(now_param),
                {"n": rows, "now": now, "o": owner},
            )
    with rt.db.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    return time.perf_counter() - start


def bench_recompute(rt: Runtime, ctx: Ctx, app_id: int, rows: int) -> dict[str, Any]:
    form = create_form(rt, ctx, app_id, FormIn(name="大表", fields=RECOMPUTE_FIELDS))
    table, cols = columns_of(rt, form["id"])
    assert rt.catalog().forms[form["id"]].by_key["amount"].settings.kind == "number"  # type: ignore[attr-defined]
    seconds = seed(rt, table, cols, rows, ctx.user_id or 0)
    console.log(f"  seeded {rows:,} rows in {seconds:.1f} s")
    amount = cols["amount"]
    # qiao: the job a publish starts for a changed formula on a large form
    job_id = rt.db.write(
        lambda conn: jobs.enqueue(conn, "recompute", {"form_id": form["id"]}, total=rows)
    )
    start = time.perf_counter()
    jobs.run_pending(rt)
    qiao_s = time.perf_counter() - start
    with rt.db.read() as conn:
        state = conn.execute(
            sa.select(jobs.jobs_t.c.state, jobs.jobs_t.c.done).where(jobs.jobs_t.c.id == job_id)
        ).one()
        qiao_sum = conn.execute(sa.text(f'SELECT SUM({amount}) FROM "{table.name}"')).scalar()
    assert state.state == "done" and state.done == rows, state
    console.log(f"  qiao recompute job: {qiao_s:.1f} s")
    # raw SQL: the same expression on the scaled integers, one UPDATE
    # qty is scaled by 10^6, price (money) by 10^4, amount (a number result) by 10^6
    expr = f"{cols['qty']} * {cols['price']} * 9 / {10 * 10**4}"
    with rt.db.engine.begin() as conn:
        conn.execute(sa.text(f'UPDATE "{table.name}" SET {amount} = NULL'))
    start = time.perf_counter()
    with rt.db.engine.begin() as conn:
        conn.execute(sa.text(f'UPDATE "{table.name}" SET {amount} = {expr}'))
    raw_s = time.perf_counter() - start
    with rt.db.read() as conn:
        raw_sum = conn.execute(sa.text(f'SELECT SUM({amount}) FROM "{table.name}"')).scalar()
    console.log(f"  raw UPDATE: {raw_s:.1f} s")
    assert qiao_sum is not None and raw_sum is not None and int(qiao_sum) == int(raw_sum)
    return {
        "rows": rows,
        "qiao_s": round(qiao_s, 2),
        "raw_s": round(raw_s, 2),
        "ratio": round(qiao_s / raw_s, 1),
        "qiao_rows_per_s": round(rows / qiao_s),
    }


def bench_save(rt: Runtime, ctx: Ctx, app_id: int, saves: int) -> dict[str, Any]:
    fields = [
        FieldIn(key="customer", label="客户", type="text"),
        FieldIn(key="discount", label="折扣", type="percent"),
        LINES,
        *(
            FieldIn(key=key, label=key, type="formula", settings={"expression": expression})
            for key, expression in SAVE_FORMULAS.items()
        ),
    ]
    form = create_form(rt, ctx, app_id, FormIn(name="报价单", fields=fields))
    form_id = int(form["id"])
    meta = rt.catalog().forms[form_id]
    child = meta.children[meta.by_key["lines"].id]
    lines = [
        {"product": f"产品{i}", "qty": i % 9 + 1, "price": f"{i * 3 + 0.5:.2f}"} for i in range(50)
    ]
    data = {"customer": "Acme 公司", "discount": "0.05", "lines": lines}
    record = service.create_record(rt, ctx, form_id, data)
    assert len(record["data"]["lines"]) == 50 and record["data"]["total"] is not None
    qiao_times = []
    for _ in range(saves):
        start = time.perf_counter()
        service.create_record(rt, ctx, form_id, data)
        qiao_times.append(time.perf_counter() - start)
    # the same record on a form without the formulas: what the formulas add to a save
    plain_lines = LINES.model_copy(
        update={
            "settings": {
                "columns": [c for c in LINES.settings["columns"] if c["type"] != "formula"]
            }
        }
    )
    plain = create_form(
        rt, ctx, app_id, FormIn(name="报价单（无公式）", fields=[*fields[:2], plain_lines])
    )
    plain_times = []
    for _ in range(saves):
        start = time.perf_counter()
        service.create_record(rt, ctx, int(plain["id"]), data)
        plain_times.append(time.perf_counter() - start)
    # raw: the same parent row (with its 10 computed values) and 50 child rows
    table = meta.table
    stored_parent = {
        c.name: v
        for c, v in zip(
            table.columns,
            rt.db.engine.connect()
            .execute(sa.select(table).where(table.c.id == record["id"]))
            .one(),
            strict=True,
        )
        if c.name != "id"
    }
    with rt.db.engine.connect() as conn:
        child_rows = [
            {k: v for k, v in r._mapping.items() if k not in ("id", "record_id")}
            for r in conn.execute(sa.select(child).where(child.c.record_id == record["id"]))
        ]
    raw_times = []
    for _ in range(saves):
        start = time.perf_counter()
        with rt.db.engine.begin() as conn:
            rid = conn.execute(
                sa.insert(table).values(stored_parent).returning(table.c.id)
            ).scalar_one()
            conn.execute(sa.insert(child), [{**r, "record_id": rid} for r in child_rows])
        raw_times.append(time.perf_counter() - start)
    qiao_ms = statistics.median(qiao_times) * 1000
    plain_ms = statistics.median(plain_times) * 1000
    raw_ms = statistics.median(raw_times) * 1000
    console.log(
        f"  save with 10 formulas + 50 lines: qiao {qiao_ms:.1f} ms "
        f"(without formulas {plain_ms:.1f} ms), raw {raw_ms:.1f} ms"
    )
    return {
        "saves": saves,
        "qiao_p50_ms": round(qiao_ms, 2),
        "qiao_without_formulas_p50_ms": round(plain_ms, 2),
        "raw_p50_ms": round(raw_ms, 2),
        "ratio": round(qiao_ms / raw_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="records to recompute")
    parser.add_argument("--saves", type=int, default=100, help="records saved per side")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-db", default="qiao_bench_formula")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "benchmark": "formulas",
        "started_at": utcnow().isoformat(),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "git": git_revision(),
        "engines": {},
    }
    for kind in [e.strip() for e in args.engines.split(",") if e.strip()]:
        console.rule(f"{kind}: {args.rows:,} rows")
        workdir = Path(tempfile.mkdtemp(prefix="qiao-bench-formula-"))
        url, admin = engine_url(kind, workdir, args.pg_db)
        rt, ctx, app_id = make_runtime(url, workdir)
        try:
            recompute = bench_recompute(rt, ctx, app_id, args.rows)
            save = bench_save(rt, ctx, app_id, args.saves)
        finally:
            rt.db.dispose()
            if admin is not None:
                with admin.connect() as conn:
                    conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                admin.dispose()
        report["engines"][kind] = {"recompute": recompute, "save": save}
        console.print(
            f"[bold]{kind}[/bold]: recompute {recompute['rows']:,} rows "
            f"qiao {recompute['qiao_s']} s vs raw UPDATE {recompute['raw_s']} s "
            f"= {recompute['ratio']}×; save (10 formulas, 50 lines) "
            f"qiao {save['qiao_p50_ms']} ms (without formulas "
            f"{save['qiao_without_formulas_p50_ms']} ms) vs raw INSERTs {save['raw_p50_ms']} ms "
            f"= {save['ratio']}×"
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "formulas-latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
