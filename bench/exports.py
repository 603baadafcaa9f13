"""Export benchmark: qiao's XLSX and CSV export against a raw baseline, time and memory.

Run with ``make bench`` (or ``.venv/bin/python bench/exports.py --rows 100000`` while
developing). For each engine (SQLite file, PostgreSQL database ``qiao_bench_export``) it

1. migrates a fresh database and creates the 12-field CRM form of ``bench/records.py``
   through qiao's services, and seeds ``--rows`` records (default 1,000,000) straight
   into the form's table (the same deterministic data);
2. runs each export in its own child process (so that every one starts from the same
   memory and its peak RSS — VmHWM — is its own):

   * ``qiao xlsx``  ``qiao.io.exports.export_to_file`` as the admin, format xlsx
     (permission layer, keyset pages, typed cells, xlsxwriter constant_memory)
   * ``qiao csv``   the same, format csv
   * ``raw xlsx``   one SELECT of the same columns in the same order (newest first),
     streamed (fetchmany; a server-side cursor on PostgreSQL) into xlsxwriter in
     constant_memory mode with ``write_row`` — the floor for an XLSX writer in Python
   * ``raw csv``    the same SELECT into ``csv.writer``

Reported per export: wall and CPU seconds (CPU time is the fairer comparison on a busy
machine), rows/s, file size, the child's RSS after imports (before the export), its
peak RSS and the growth between the two. Target (issue 6): peak RSS under 300 MB for every
export, i.e. flat memory. Results are printed as one table per engine and written to
``bench/results/exports-<timestamp>.json`` and ``exports-latest.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from rich.table import Table  # noqa: E402

from records import (  # noqa: E402
    KEYS,
    PG_BASE,
    DataMaker,
    Raw,
    console,
    git_revision,
    seed,
    setup_engine,
)

RESULTS = ROOT / "bench" / "results"
TARGET_MIB = 300
RUNS = ("qiao xlsx", "qiao csv", "raw xlsx", "raw csv")


def memory_mib() -> dict[str, float]:
    """This process's current and peak resident set size (MiB) from /proc."""
    out = {"rss_mib": 0.0, "peak_rss_mib": 0.0}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            out["rss_mib"] = round(int(line.split()[1]) / 1024, 1)
        elif line.startswith("VmHWM:"):
            out["peak_rss_mib"] = round(int(line.split()[1]) / 1024, 1)
    return out


# ----- the child: one export --------------------------------------------------------------
def child(args: argparse.Namespace) -> int:
    job = json.loads(args.child)
    before = memory_mib()["rss_mib"]
    start = time.perf_counter()
    cpu = time.process_time()
    rows = qiao_export(job) if job["run"].startswith("qiao") else raw_export(job)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    mem = memory_mib()
    result = {
        "run": job["run"],
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "bytes": Path(job["path"]).stat().st_size,
        "rss_before_mib": before,
        "peak_rss_mib": mem["peak_rss_mib"],
    }
    print("RESULT " + json.dumps(result))
    return 0


def qiao_export(job: dict[str, Any]) -> int:
    from qiao.config import Settings
    from qiao.context import Ctx
    from qiao.db.engine import make_engine
    from qiao.db.uow import Database
    from qiao.forms.catalog import SchemaCache
    from qiao.io.exports import ExportRequest, export_to_file
    from qiao.org import users
    from qiao.runtime import Runtime

    settings = Settings(
        data_dir=Path(job["data_dir"]), database_url=job["url"], secret_key="bench-secret-key"
    )
    rt = Runtime(settings, Database(make_engine(job["url"])), SchemaCache())
    with rt.db.read() as conn:
        admin = users.user_from_row(users.find_user_row(conn, "admin"))
    ctx = Ctx(user=admin, tz=rt.tz)
    fmt = job["run"].split()[1]
    req = ExportRequest(format=fmt, base_url="https://qiao.example.com")  # type: ignore[arg-type]
    _plan, rows = export_to_file(rt, ctx, job["form_id"], req, job["path"])
    return rows


def raw_export(job: dict[str, Any]) -> int:
    columns: dict[str, str] = job["columns"]
    names = ["id", "owner", "created_at"] + [columns[k] for k in KEYS]
    sql = f"SELECT {', '.join(names)} FROM {job['table']} WHERE deleted_at IS NULL ORDER BY id DESC"
    if job["kind"] == "sqlite":
        conn: Any = sqlite3.connect(job["url"].removeprefix("sqlite:///"))
        cur = conn.execute(sql)
    else:
        import psycopg

        conn = psycopg.connect(job["url"])
        cur = conn.cursor(name="export")  # server-side: rows arrive as fetched
        cur.itersize = 1000
        cur.execute(sql)
    header = ["ID", "负责人", "创建时间", *KEYS]
    rows = 0
    if job["run"] == "raw csv":
        with open(job["path"], "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            while batch := cur.fetchmany(1000):
                writer.writerows(batch)
                rows += len(batch)
    else:
        import xlsxwriter

        book = xlsxwriter.Workbook(job["path"], {"constant_memory": True})
        ws = book.add_worksheet("raw")
        ws.write_row(0, 0, header)
        while batch := cur.fetchmany(1000):
            for row in batch:
                rows += 1
                ws.write_row(rows, 0, [v if isinstance(v, int | float) else str(v) for v in row])
        book.close()
    conn.close()
    return rows


# ----- the parent ---------------------------------------------------------------------------
def run_child(job: dict[str, Any]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(job)],
        capture_output=True,
        text=True,
        check=False,
    )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return result
    raise RuntimeError(f"{job['run']} failed:\n{out.stdout}\n{out.stderr}")


def run_engine(kind: str, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    console.rule(f"[bold]{kind}")
    b = setup_engine(kind, args, workdir)
    raw = Raw(kind, b.url, b.table, b.columns)
    try:
        maker = DataMaker(20260101, b.option_ids, b.user_ids)
        console.log(f"  form {b.form_id} → table {b.table}; seeding {args.rows:,} rows")
        seed(b, raw, args.rows, maker)
        raw.close()
        b.rt.db.engine.dispose()
        results = []
        for run in RUNS:
            path = workdir / f"{kind}-{run.replace(' ', '-')}.{run.split()[1]}"
            job = {
                "run": run,
                "kind": kind,
                "url": b.url,
                "data_dir": str(workdir / "data"),
                "form_id": b.form_id,
                "table": b.table,
                "columns": b.columns,
                "path": str(path),
            }
            console.log(f"  {run} …")
            result = run_child(job)
            result["passed"] = result["peak_rss_mib"] < TARGET_MIB
            results.append(result)
            console.log(
                f"  {run}: {result['rows']:,} rows in {result['seconds']} s, "
                f"peak RSS {result['peak_rss_mib']} MiB"
            )
            path.unlink(missing_ok=True)
        return {"engine": kind, "results": results}
    finally:
        b.cleanup()


def print_table(report: dict[str, Any], rows: int) -> None:
    table = Table(title=f"exports — {report['engine']}, {rows:,} rows × {len(KEYS) + 3} columns")
    names = ("export", "seconds", "CPU s", "rows/s", "file MB", "RSS before", "peak RSS", "growth")
    for name in (*names, "CPU vs raw"):
        table.add_column(name, justify="left" if name == "export" else "right")
    table.add_column(f"peak < {TARGET_MIB} MB", justify="center")
    by_run = {r["run"]: r for r in report["results"]}
    for r in report["results"]:
        fmt = r["run"].split()[1]
        base = by_run.get(f"raw {fmt}")
        ratio = (
            "—"
            if r["run"].startswith("raw") or not base
            else f"{r['cpu_seconds'] / base['cpu_seconds']:.2f}×"
        )
        table.add_row(
            r["run"],
            f"{r['seconds']:.1f}",
            f"{r['cpu_seconds']:.1f}",
            f"{r['rows_per_s']:,}",
            f"{r['bytes'] / 1e6:.1f}",
            f"{r['rss_before_mib']:.0f} MiB",
            f"{r['peak_rss_mib']:.0f} MiB",
            f"+{r['peak_rss_mib'] - r['rss_before_mib']:.0f} MiB",
            ratio,
            "[green]pass" if r["passed"] else "[red]FAIL",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="records to seed")
    parser.add_argument(
        "--engines", default="sqlite,postgresql", help="comma-separated: sqlite,postgresql"
    )
    parser.add_argument("--pg-url", default=PG_BASE, help="PostgreSQL server (no database)")
    parser.add_argument("--pg-db", default="qiao_bench_export", help="database to (re)create")
    parser.add_argument("--workdir", type=Path, help="where the SQLite file and exports go")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    started = datetime.now(UTC)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="qiao-bench-export-"))
    workdir.mkdir(parents=True, exist_ok=True)
    reports = []
    try:
        for kind in engines:
            report = run_engine(kind, args, workdir)
            reports.append(report)
            print_table(report, args.rows)
    finally:
        if not args.keep and args.workdir is None:
            shutil.rmtree(workdir, ignore_errors=True)
    output = {
        "benchmark": "exports",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "rows": args.rows,
        "columns": len(KEYS) + 3,
        "target_peak_rss_mib": TARGET_MIB,
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "sqlite": sqlite3.sqlite_version,
        },
        "git": git_revision(),
        "engines": reports,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    text = json.dumps(output, indent=2, ensure_ascii=False, default=str)
    (RESULTS / f"exports-{stamp}.json").write_text(text + "\n")
    (RESULTS / "exports-latest.json").write_text(text + "\n")
    console.print(f"results in {RESULTS / f'exports-{stamp}.json'}")
    failed = [
        f"{rep['engine']}: {r['run']}" for rep in reports for r in rep["results"] if not r["passed"]
    ]
    if failed:
        console.print("[red]targets missed:[/] " + "; ".join(failed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
