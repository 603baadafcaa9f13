"""Import benchmark: a 100,000-row × 15-column .xlsx imported into a form that already
holds 100,000 records, end to end through qiao, against reading the same file with the
fastest reader plus raw ``executemany`` of the same rows.

Run with ``make bench`` (or ``.venv/bin/python bench/imports.py --rows 10000`` while
developing). For each engine (SQLite file, PostgreSQL database ``qiao_bench_import``):

1. a form of 15 fields (text ×2, phone, email, date, money, select ×2, multiselect,
   address, number, percent, url, datetime, textarea) is created through qiao, and
   ``--rows`` existing customers are created with ``records.service.bulk_create``
   (batches of 5,000; not timed);
2. a messy .xlsx of ``--rows`` rows is written with xlsxwriter: phones in five
   spellings, dates as text in five forms and as Excel date cells, amounts with ¥,
   thousands separators and 万, full-width letters and stray spaces; 10% of the rows are
   existing customers spelled differently (de-duplicated on 客户名称 + 电话, strategy
   skip) and 2% hold a value no cleanser can fix;
3. **qiao**, timed step by step as ``qiao import`` runs them: upload (``create_import``:
   store, read, propose the mapping, first analysis), configure (the de-duplication keys:
   the analysis again — cleansing, de-duplication against the existing records,
   validation), preview (a page of rows, from the cached analysis) and ``run_sync``
   (start and the import job: batches of 2,000 rows written through the one write path,
   with audit entries and ``import_rows``). The parts of the analysis are timed apart by
   calling the module functions on the same data: file read (``readers``), cleansing
   (``cleanse``), de-duplication (``dedupe.Deduper``), validation (``prepare_items`` and
   the database checks);
4. **baseline**: python-calamine reads the file to Python rows, then the rows qiao
   stored (read back from the form's table and its junction table) are inserted with
   one ``executemany`` each into same-shaped copies of those tables, in one transaction.

Ratio = qiao end to end ÷ baseline (target ≤ 2×). Results are printed and written to
``bench/results/imports-latest.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.formulas import engine_url, make_runtime  # noqa: E402
from bench.records import git_revision  # noqa: E402
from qiao.context import Ctx, utcnow  # noqa: E402
from qiao.db import schema  # noqa: E402
from qiao.forms.inputs import FieldIn, FormIn  # noqa: E402
from qiao.forms.service import create_form  # noqa: E402
from qiao.io import cleanse, dedupe, import_plan, imports, readers  # noqa: E402
from qiao.org.access import form_access  # noqa: E402
from qiao.records import service  # noqa: E402
from qiao.runtime import Runtime  # noqa: E402

RESULTS = ROOT / "bench" / "results"
console = Console()
if not console.is_terminal:
    console.width = 150
T = TypeVar("T")

LEVELS = ["A类", "B类", "C类"]
INDUSTRIES = ["制造", "零售", "金融", "教育", "医疗", "物流", "互联网", "能源"]
TAGS = ["重点", "老客户", "待跟进", "已回款"]
PLACES = [
    ("广东省", "深圳市", "南山区"),
    ("浙江省", "杭州市", "西湖区"),
    ("四川省", "成都市", "武侯区"),
    ("江苏省", "南京市", "鼓楼区"),
    ("北京市", "北京市", "海淀区"),
    ("上海市", "上海市", "浦东新区"),
]
STREETS = ["科技园路", "文三路", "天府大道", "中山路", "中关村大街", "世纪大道"]
WORDS = "华信达通恒泰瑞丰鼎盛天宇中和鑫源博远安康嘉禾新锐宏图星辰锦程远航汇川凯达"
TRADES = ["科技", "贸易", "电子", "网络", "实业", "物流", "信息技术", "建材", "咨询", "传媒"]
SUFFIXES = ["有限公司", "有限责任公司", "股份有限公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
MOBILE = ["138", "139", "137", "136", "135", "150", "151", "152", "186", "187", "188", "199"]
NOTES = [
    "{city}客户，关注{trade}方案，预算约{n}万元。",
    "电话沟通过，下周安排拜访。",
    "老客户推荐，需求：{trade}系统升级；联系人较忙，邮件优先。",
    "",
]
HEADERS = [
    "客户名称",
    "联系人",
    "电话",
    "邮箱",
    "签约日期",
    "合同金额",
    "客户等级",
    "行业",
    "标签",
    "地址",
    "评分",
    "折扣",
    "网址",
    "最近拜访",
    "备注",
]
FIELDS = [
    FieldIn(key="name", label="客户名称", type="text", indexed=True),
    FieldIn(key="contact", label="联系人", type="text"),
    FieldIn(key="phone", label="电话", type="phone", indexed=True),
    FieldIn(key="email", label="邮箱", type="email"),
    FieldIn(key="signed", label="签约日期", type="date"),
    FieldIn(key="amount", label="合同金额", type="money"),
    FieldIn(key="level", label="客户等级", type="select", settings={"choices": LEVELS}),
    FieldIn(key="industry", label="行业", type="select", settings={"choices": INDUSTRIES}),
    FieldIn(key="tags", label="标签", type="multiselect", settings={"choices": TAGS}),
    FieldIn(key="address", label="地址", type="address"),
    FieldIn(key="score", label="评分", type="number", settings={"precision": 1}),
    FieldIn(key="discount", label="折扣", type="percent"),
    FieldIn(key="website", label="网址", type="url"),
    FieldIn(key="visited", label="最近拜访", type="datetime"),
    FieldIn(key="note", label="备注", type="textarea"),
]
KEYS = [f.key for f in FIELDS]
DEDUPE = ["name", "phone"]
SEED_THROUGH_QIAO = 5000
EXCEL_EPOCH = date(1899, 12, 30)


# ----- data ------------------------------------------------------------------------------
class Customers:
    """Deterministic customers: clean API values, and a messy spelling of each."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.used: set[str] = set()
        self.n = 0

    def clean(self) -> dict[str, Any]:
        rng = self.rng
        self.n += 1
        while True:
            name = "".join(rng.choice(WORDS) for _ in range(3)) + rng.choice(TRADES)
            if name not in self.used:
                self.used.add(name)
                break
        province, city, district = rng.choice(PLACES)
        signed = date(2020, 1, 1) + timedelta(days=rng.randrange(1800))
        cents = rng.randrange(1, 500) * 100_000 if rng.random() < 0.2 else rng.randrange(10**8)
        return {
            "name": name + rng.choice(SUFFIXES),
            "contact": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            "phone": rng.choice(MOBILE) + f"{rng.randrange(10**8):08d}",
            "email": f"user{self.n}.{rng.randrange(10**6)}@example.com",
            "signed": signed,
            "amount": cents / 100,
            "level": rng.choice(LEVELS),
            "industry": rng.choice(INDUSTRIES),
            "tags": rng.sample(TAGS, rng.randrange(0, 3)),
            "address": {
                "province": province,
                "city": city,
                "district": district,
                "street": f"{rng.choice(STREETS)}{rng.randrange(1, 999)}号",
            },
            "score": rng.randrange(1001) / 10,
            "discount": rng.randrange(0, 30),
            "website": f"https://www.example{self.n}.com",
            "visited": datetime(2024, 1, 1) + timedelta(minutes=rng.randrange(500_000)),
            "note": rng.choice(NOTES).format(
                city=city, trade=rng.choice(TRADES), n=rng.randrange(1, 500)
            ),
        }

    @staticmethod
    def api(c: dict[str, Any]) -> dict[str, Any]:
        return {
            **c,
            "signed": c["signed"].isoformat(),
            "discount": c["discount"] / 100,
            "visited": c["visited"].isoformat(),
        }

    def messy(self, c: dict[str, Any], bad: bool) -> list[Any]:
        """A row of cells as salespeople type them; ``bad``: one cell cannot be cleaned."""
        rng = self.rng
        phone = c["phone"]
        p = rng.randrange(5)
        phone_cell = [
            phone,
            f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
            f"{phone[:3]}-{phone[3:7]}-{phone[7:]}",
            f"86{phone}",
            f" {phone[:3]} {phone[3:7]} {phone[7:]} ",
        ][p]
        day = c["signed"]
        d = rng.randrange(6)
        date_cell: Any = [
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"),
            f"{day.year}.{day.month}.{day.day}",
            day,  # an Excel date cell
        ][d]
        amount = c["amount"]
        a = rng.randrange(4)
        if a == 0 and amount * 100 % 100_000 == 0:
            amount_cell: Any = f"{amount / 10000:g}万"
        elif a == 1:
            amount_cell = f"¥{amount:,.2f}"
        elif a == 2:
            amount_cell = f"{amount:,.2f}"
        else:
            amount_cell = amount
        name = c["name"]
        if rng.random() < 0.1:
            name = f" {name} "
        address = c["address"]
        row = [
            name,
            c["contact"],
            phone_cell,
            c["email"].upper() if rng.random() < 0.1 else c["email"],
            date_cell,
            amount_cell,
            c["level"],
            c["industry"],
            "、".join(c["tags"]),
            f"{address['province']}{address['city']}{address['district']}{address['street']}",
            c["score"],
            f"{c['discount']}%",
            c["website"],
            c["visited"].strftime("%Y-%m-%d %H:%M"),
            c["note"],
        ]
        if bad:
            column = rng.randrange(4)
            row[[2, 4, 5, 3][column]] = ["138001380", "2024-02-30", "面议", "zhang.example.com"][
                column
            ]
        return row


def write_xlsx(rows: list[list[Any]]) -> bytes:
    """Written row by row (xlsxwriter's constant-memory mode, through a temporary file)."""
    import xlsxwriter

    with tempfile.TemporaryDirectory(prefix="qiao-bench-xlsx-") as tmp:
        path = Path(tmp) / "customers.xlsx"
        book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
        sheet = book.add_worksheet("客户")
        date_format = book.add_format({"num_format": "yyyy-mm-dd"})
        for c, header in enumerate(HEADERS):
            sheet.write_string(0, c, header)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_number(r, c, (value - EXCEL_EPOCH).days, date_format)
                elif isinstance(value, str):
                    sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
        book.close()
        return path.read_bytes()


# ----- timing helpers ---------------------------------------------------------------------
def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


class Times(dict[str, float]):
    """Wall seconds (``<name>_s``) and this process' CPU seconds (``<name>_cpu_s``) of
    named steps. On a busy machine the CPU time is the steadier figure; it leaves out
    PostgreSQL's own work (another process), so compare engines by wall time."""

    def run(self, name: str, fn: Callable[[], T]) -> T:
        wall, cpu = time.perf_counter(), time.process_time()
        value = fn()
        self[f"{name}_s"] = round(time.perf_counter() - wall, 3)
        self[f"{name}_cpu_s"] = round(time.process_time() - cpu, 3)
        return value

    def total(self, names: list[str]) -> None:
        for unit in ("_s", "_cpu_s"):
            self[f"total{unit}"] = round(sum(self[f"{n}{unit}"] for n in names), 3)


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


# ----- the steps -----------------------------------------------------------------------------
def seed_existing(rt: Runtime, ctx: Ctx, form_id: int, existing: list[dict[str, Any]]) -> float:
    """The first 5,000 customers through ``bulk_create``; the others as copies of those
    rows (raw ``executemany``) with their own name and phone — what de-duplication
    compares — so that seeding 100,000 records takes seconds, not minutes."""
    start = time.perf_counter()
    head = existing[:SEED_THROUGH_QIAO]
    for i in range(0, len(head), 5000):
        items = [{"data": Customers.api(c)} for c in head[i : i + 5000]]
        service.bulk_create(rt, ctx, form_id, items)
    rest = existing[SEED_THROUGH_QIAO:]
    if rest:
        form = rt.catalog().forms[form_id]
        name, phone = form.by_key["name"].column_name, form.by_key["phone"].column_name
        with rt.db.engine.begin() as conn:
            template = [dict(r._mapping) for r in conn.execute(sa.select(form.table))]
            for r in template:
                del r["id"]
            rows = []
            for i, c in enumerate(rest):
                row = dict(template[i % len(template)])
                row[name], row[phone] = c["name"], c["phone"]
                rows.append(row)
            for i in range(0, len(rows), 10_000):
                conn.execute(sa.insert(form.table), rows[i : i + 10_000])
    with rt.db.engine.connect() as conn:
        conn.execute(sa.text("ANALYZE"))
        conn.commit()
    return time.perf_counter() - start


def qiao_import(rt: Runtime, ctx: Ctx, form_id: int, content: bytes) -> dict[str, Any]:
    """The steps of ``qiao import FILE --form … --dedupe name,phone``."""
    times = Times()
    body = times.run(
        "upload", lambda: imports.create_import(rt, ctx, form_id, "客户.xlsx", content)
    )
    import_id = int(body["id"])
    options = {"dedupe_keys": DEDUPE, "strategy": "skip"}
    times.run("configure", lambda: imports.configure(rt, ctx, import_id, {"options": options}))
    times.run("preview", lambda: imports.preview(rt, ctx, import_id, 0, 50))
    if os.environ.get("QIAO_BENCH_PROFILE"):  # where the job's time goes (cProfile)
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        body = times.run("run", lambda: profiler.runcall(imports.run_sync, rt, ctx, import_id))
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(45)
    else:
        body = times.run("run", lambda: imports.run_sync(rt, ctx, import_id))
    times.total(["upload", "configure", "preview", "run"])
    return {
        "import_id": import_id,
        "summary": body["summary"],
        "counts": body["counts"],
        "state": body["state"],
        **times,
    }


def parts(rt: Runtime, ctx: Ctx, form_id: int, content: bytes) -> dict[str, float]:
    """The analysis' parts, by calling the module functions on the same data."""
    result = Times()

    def read() -> readers.Table:
        sheets = readers.read_workbook(content, "客户.xlsx")
        return readers.to_table(sheets[0], readers.detect_header(sheets[0]))

    table = result.run("read", read)
    with rt.db.read() as conn:
        access = form_access(conn, ctx, rt.form(conn, form_id))
        form = access.form
        columns = [(i, form.by_key[k]) for i, k in enumerate(KEYS)]
        env = cleanse.CleanseEnv(
            option_map={}, relations=cleanse.RelationIndex.load(rt, conn, ctx, form, [], {})
        )

        def cleanse_all() -> list[dict[str, Any]]:
            cleaners = [(i, fm.key, cleanse.cleanser_for(fm)) for i, fm in columns]
            return [
                {key: clean(row[i], ctx, env).value for i, key, clean in cleaners}
                for row in table.rows
            ]

        datas = result.run("cleanse", cleanse_all)

        def find_duplicates() -> list[str]:
            deduper = dedupe.Deduper(rt, conn, ctx, form, DEDUPE, False, 0.9)
            actions = ["create"] * len(datas)
            for index, data in enumerate(datas):
                if deduper.check(index, {k: data.get(k) for k in DEDUPE}) is not None:
                    actions[index] = "skip"
            return actions

        actions = result.run("dedupe", find_duplicates)
        result.run(
            "validate",
            lambda: import_plan._validate(conn, access, form, ctx, datas, actions, {}),
        )
    return dict(result)


def baseline(rt: Runtime, form_id: int, import_id: int, content: bytes) -> dict[str, Any]:
    """python-calamine to Python rows, then the rows qiao stored, inserted again with raw
    ``executemany`` into same-shaped copies of the form's tables (one transaction)."""
    import python_calamine

    def read() -> list[list[Any]]:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        return list(book.get_sheet_by_index(0).to_python())

    times = Times()
    rows = times.run("read", read)
    form = rt.catalog().forms[form_id]
    tables = [form.table.name] + [
        fm.column_name for fm in form.live_fields if fm.column_name.startswith("qj_")
    ]
    ir = schema.import_rows
    with rt.db.engine.connect() as conn:
        ids = [
            int(i)
            for i in conn.execute(
                sa.select(ir.c.record_id).where(
                    ir.c.import_id == import_id, ir.c.action == "created"
                )
            ).scalars()
        ]
    copies: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    with rt.db.engine.begin() as conn:
        for name in tables:
            copy = f"bench_copy_{name}"
            _copy_table(conn, rt.db.is_sqlite, name, copy)
            table = sa.Table(name, sa.MetaData(), autoload_with=conn)
            key = "id" if name == form.table.name else _record_column(table)
            if key is None:
                continue
            cols = [c.name for c in table.columns if not (c.name == "id" and key == "id")]
            stored: list[tuple[Any, ...]] = []
            for i in range(0, len(ids), 5000):
                chunk = ids[i : i + 5000]
                stored += [
                    tuple(r)
                    for r in conn.exec_driver_sql(
                        f'SELECT {", ".join(cols)} FROM "{name}" '
                        f"WHERE {key} IN ({', '.join(map(str, chunk))})"
                    )
                ]
            copies.append((copy, cols, stored))
    mark = "?" if rt.db.is_sqlite else "%s"

    def insert() -> None:
        with rt.db.engine.begin() as conn:  # one transaction; a list of rows → executemany
            for copy, cols, stored in copies:
                names, marks = ", ".join(cols), ", ".join([mark] * len(cols))
                conn.exec_driver_sql(f'INSERT INTO "{copy}" ({names}) VALUES ({marks})', stored)

    times.run("insert", insert)
    times.total(["read", "insert"])
    return {
        "rows_read": len(rows) - 1,
        "rows_inserted": len(ids),
        "tables": [c[0] for c in copies],
        **times,
    }


def _record_column(table: sa.Table) -> str | None:
    for name in ("record_id", "source_id", "owner_id"):
        if name in table.columns:
            return name
    return None


def _copy_table(conn: sa.Connection, sqlite: bool, name: str, copy: str) -> None:
    """An empty copy with the same columns, constraints and indexes."""
    conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{copy}"')
    if not sqlite:
        conn.exec_driver_sql(f'CREATE TABLE "{copy}" (LIKE "{name}" INCLUDING ALL)')
        return
    ddl = conn.exec_driver_sql(
        "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
        (name,),
    ).all()
    for kind, sql in sorted(ddl, key=lambda r: r[0] != "table"):
        text = sql.replace(f'"{name}"', f'"{copy}"').replace(f" {name} ", f' "{copy}" ')
        if kind == "index":
            text = text.replace("INDEX ", "INDEX bench_", 1).replace(
                'INDEX bench_"', 'INDEX "bench_'
            )
        conn.exec_driver_sql(text)


# ----- main ---------------------------------------------------------------------------------
def run_engine(kind: str, rows: int, pg_db: str) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="qiao-bench-import-"))
    url, admin = engine_url(kind, workdir, pg_db)
    rt, ctx, app_id = make_runtime(url, workdir)
    try:
        form = create_form(rt, ctx, app_id, FormIn(name="客户", fields=FIELDS))
        form_id = int(form["id"])
        people = Customers(seed=6)
        existing = [people.clean() for _ in range(rows)]
        seed_s = seed_existing(rt, ctx, form_id, existing)
        console.print(f"seeded {rows:,} existing records in {seed_s:.1f} s")
        file_rows: list[list[Any]] = []
        expect = {"create": 0, "skip": 0, "error": 0}
        rng = random.Random(7)
        for _ in range(rows):
            draw = rng.random()
            if draw < 0.10:
                file_rows.append(people.messy(rng.choice(existing), bad=False))
                expect["skip"] += 1
            elif draw < 0.12:
                file_rows.append(people.messy(people.clean(), bad=True))
                expect["error"] += 1
            else:
                file_rows.append(people.messy(people.clean(), bad=False))
                expect["create"] += 1
        content, write_s = timed(lambda: write_xlsx(file_rows))
        console.print(
            f"wrote {rows:,} × {len(HEADERS)} .xlsx ({len(content) / 2**20:.1f} MiB) "
            f"in {write_s:.1f} s; expected {expect}"
        )
        q = qiao_import(rt, ctx, form_id, content)
        p = parts(rt, ctx, form_id, content)
        b = baseline(rt, form_id, q["import_id"], content)
        ratio = round(q["total_s"] / b["total_s"], 2) if b["total_s"] else None
        cpu_ratio = round(q["total_cpu_s"] / b["total_cpu_s"], 2) if b["total_cpu_s"] else None
        return {
            "rows": rows,
            "columns": len(HEADERS),
            "file_mib": round(len(content) / 2**20, 2),
            "existing": rows,
            "expected": expect,
            "qiao": q,
            "parts": p,
            "baseline": b,
            "ratio": ratio,
            "cpu_ratio": cpu_ratio,
            "rows_per_s": round(rows / q["total_s"]) if q["total_s"] else None,
            "peak_rss_mib": peak_mib(),
        }
    finally:
        rt.db.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{pg_db}" WITH (FORCE)')
            admin.dispose()


def show(kind: str, r: dict[str, Any]) -> None:
    q, p, b = r["qiao"], r["parts"], r["baseline"]
    table = Table(title=f"{kind}: import {r['rows']:,} rows × {r['columns']} columns")
    table.add_column("step")
    table.add_column("wall s", justify="right")
    table.add_column("cpu s", justify="right")
    table.add_column("what", overflow="fold")

    def row(label: str, d: dict[str, Any], name: str, what: str) -> None:
        table.add_row(label, f"{d[f'{name}_s']:.2f}", f"{d[f'{name}_cpu_s']:.2f}", what)

    row("upload", q, "upload", "create_import: store, read, map (analysis only ≤ 20,000 rows)")
    row("configure", q, "configure", "dedupe keys: the analysis again")
    row("  read", p, "read", "part: readers (calamine → Table)")
    row("  cleanse", p, "cleanse", "part: every cell through its cleanser")
    row("  de-duplicate", p, "dedupe", f"part: name + phone vs {r['existing']:,} records")
    row("  validate", p, "validate", "part: prepare + database checks (warm caches)")
    row("preview", q, "preview", "a page from the cached analysis")
    row("run (insert)", q, "run", "start + job: batches of 2,000 through the write path")
    row("[bold]qiao total", q, "total", f"{r['rows_per_s']:,} rows/s (wall)")
    row("baseline read", b, "read", "python-calamine to_python")
    row("baseline insert", b, "insert", f"executemany {b['rows_inserted']:,} stored rows")
    row("[bold]baseline total", b, "total", "")
    mark = "✔" if r["ratio"] is not None and r["ratio"] <= 2 else "✘"
    table.add_row(
        "[bold]ratio", f"[bold]{r['ratio']}×", f"{r['cpu_ratio']}×", f"target ≤ 2× {mark}"
    )
    console.print(table)
    summary = q["summary"] or {}
    console.print(
        f"summary { ({k: summary.get(k) for k in ('rows', 'create', 'skip', 'errors')}) }, "
        f"counts {q['counts']}, state {q['state']}, peak RSS {r['peak_rss_mib']} MiB"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="file rows = existing records")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--pg-db", default="qiao_bench_import")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "benchmark": "imports",
        "started_at": utcnow().isoformat(),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "git": git_revision(),
        "engines": {},
    }
    for kind in [e.strip() for e in args.engines.split(",") if e.strip()]:
        console.rule(f"{kind}: {args.rows:,} rows")
        result = run_engine(kind, args.rows, args.pg_db)
        report["engines"][kind] = result
        show(kind, result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "imports-latest.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
