"""Permission benchmark: what a department data scope costs on the list page.

Run with ``make bench`` (or ``.venv/bin/python bench/permissions.py --rows 100000``
while developing). For each engine (SQLite file, PostgreSQL database
``qiao_bench_perm``) it

1. migrates a fresh database, creates 200 users in 20 departments (销售部 → 4 regions
   → 15 teams) and a form through qiao's own services, and gives
   * ``team_rep`` a group "department" (their team: 10 of the 200 owners, ~5% of rows),
   * ``region_mgr`` a group "department_tree" (their region and its teams, ~25%);
2. seeds ``--rows`` records (default 1,000,000) with one INSERT … SELECT over a row
   generator (owners spread evenly over the 200 users), then ANALYZEs;
3. times, alternating every function round-robin, warm, time-bounded, through
   ``qiao.records.service.list_`` (in process):

   * newest page: first page of 50 sorted by -id, with the total count;
   * the same page without the total (the page query alone);
   * filtered page: status = 成交 AND amount ≥ 500,000, sorted by -amount, with total;

   each as the administrator (no scope), as ``team_rep`` (department scope) and as
   ``region_mgr`` (department tree), and as raw SQL: the unscoped query and the scoped
   one with the owners' ids written out (what a hand-written app that already knows
   the team would send).

The headline is **scope ÷ no scope** = ``team_rep`` time ÷ admin time for the same
page (target ≤ 1.3×, issue 4); the other ratios compare each to raw SQL. Before timing
it checks that qiao and raw SQL return the same ids and totals. Results are printed and
written to ``bench/results/permissions-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.records import git_revision, rss_mib, stats  # noqa: E402
from qiao.config import Settings  # noqa: E402
from qiao.context import Ctx  # noqa: E402
from qiao.db import schema  # noqa: E402
from qiao.db.engine import make_engine  # noqa: E402
from qiao.db.migrate import upgrade  # noqa: E402
from qiao.db.uow import Database  # noqa: E402
from qiao.forms.apps import create_app  # noqa: E402
from qiao.forms.catalog import SchemaCache  # noqa: E402
from qiao.forms.inputs import AppIn, FieldIn, FormIn  # noqa: E402
from qiao.forms.service import create_form  # noqa: E402
from qiao.org import permission_groups as groups  # noqa: E402
from qiao.org import users  # noqa: E402
from qiao.records import service  # noqa: E402
from qiao.records.reads import ListQuery  # noqa: E402
from qiao.runtime import Runtime  # noqa: E402

RESULTS = ROOT / "bench" / "results"
console = Console()
if not console.is_terminal:
    console.width = 150

STATUSES = ["线索", "跟进中", "报价", "成交", "流失"]
FILTER_STATUS = "成交"
FILTER_AMOUNT = 500_000  # yuan; amounts are spread over 0 … 1,000,000
FIELDS = [
    FieldIn(key="name", label="客户名称", type="text", indexed=True),
    FieldIn(key="phone", label="电话", type="phone"),
    FieldIn(
        key="status", label="状态", type="select", indexed=True, settings={"choices": STATUSES}
    ),
    FieldIn(key="amount", label="金额", type="money", indexed=True),
]
USERS = 200
REGIONS = 4
TEAMS = 15  # 1 root + 4 regions + 15 teams = 20 departments


@dataclass
class Setup:
    kind: str
    rt: Runtime
    admin: Ctx
    team_rep: Ctx
    region_mgr: Ctx
    form_id: int
    table: str
    col: dict[str, str]
    option_ids: dict[str, str]
    team_ids: list[int]  # the owners in team_rep's department
    region_ids: list[int]  # the owners in region_mgr's tree


def build_org(rt: Runtime, admin: Ctx) -> tuple[list[int], dict[int, int], dict[int, list[int]]]:
    """Users (ids), each user's department, and the departments below each region."""
    now = datetime.now(UTC)
    d = schema.departments

    def run(conn: sa.Connection) -> tuple[list[int], dict[int, int], dict[int, list[int]]]:
        def dept(name: str, parent: int | None, parent_path: str) -> tuple[int, str]:
            new_id = conn.execute(
                sa.insert(d)
                .values(name=name, parent_id=parent, path="", created_at=now, updated_at=now)
                .returning(d.c.id)
            ).scalar_one()
            path = f"{parent_path}{new_id}/"
            conn.execute(sa.update(d).where(d.c.id == new_id).values(path=path))
            return new_id, path

        root, root_path = dept("销售部", None, "/")
        regions = [dept(f"大区{r + 1}", root, root_path) for r in range(REGIONS)]
        teams: list[int] = []
        below: dict[int, list[int]] = {rid: [rid] for rid, _ in regions}
        for t in range(TEAMS):
            region_id, region_path = regions[t % REGIONS]
            team_id, _ = dept(f"小组{t + 1}", region_id, region_path)
            teams.append(team_id)
            below[region_id].append(team_id)
        user_ids: list[int] = []
        home: dict[int, int] = {}
        # 10 users per department; the root and the regions hold their managers
        all_depts = [root] + [r for r, _ in regions] + teams
        for i in range(USERS):
            user = users.create_user(conn, f"u{i:03d}", None)
            user_ids.append(user.id)
            home[user.id] = all_depts[i % len(all_depts)]
        conn.execute(
            sa.insert(schema.user_departments),
            [
                {"user_id": uid, "department_id": dep, "is_main": True, "is_manager": False}
                for uid, dep in home.items()
            ],
        )
        return user_ids, home, below

    return rt.db.write(run)


def setup(kind: str, url: str) -> Setup:
    settings = Settings(
        data_dir=Path(tempfile.gettempdir()) / "qiao-bench-perm",
        database_url=url,
        secret_key="bench-secret-key",
    )
    engine = make_engine(url)
    upgrade(engine)
    rt = Runtime(settings, Database(engine), SchemaCache())
    admin_user = rt.db.write(lambda c: users.create_user(c, "admin", None, is_admin=True))
    admin = Ctx(user=admin_user, tz=rt.tz)
    user_ids, home, below = build_org(rt, admin)
    app = create_app(rt, admin, AppIn(name="CRM 权限基准"))
    form = create_form(rt, admin, app["id"], FormIn(name="客户", fields=FIELDS))
    form_id = form["id"]
    for group in groups.list_groups(rt, admin, form_id):
        groups.delete_group(rt, admin, group["id"])
    # team_rep: a user of a team (the last user whose home is a team)
    team_rep_id = next(u for u in reversed(user_ids) if home[u] not in below)
    team = home[team_rep_id]
    region = next(r for r, members in below.items() if team in members)
    region_mgr_id = next(u for u in user_ids if home[u] == region)
    for name, uid, scope in (
        ("本部门", team_rep_id, "department"),
        ("本部门及下级", region_mgr_id, "department_tree"),
    ):
        groups.create_group(
            rt,
            admin,
            form_id,
            groups.GroupIn(
                name=name,
                operations=["view", "create", "edit"],
                scope=scope,
                members=[groups.MemberIn(type="user", id=uid)],
            ),
        )
    with rt.db.read() as conn:
        team_rep = Ctx(user=users.get_user(conn, team_rep_id), tz=rt.tz)
        region_mgr = Ctx(user=users.get_user(conn, region_mgr_id), tz=rt.tz)
        meta = rt.form(conn, form_id)
    col = {fm.key: fm.column_name for fm in meta.live_fields}
    status = next(f for f in form["fields"] if f["key"] == "status")
    option_ids = {c["label"]: c["id"] for c in status["settings"]["choices"]}
    return Setup(
        kind,
        rt,
        admin,
        team_rep,
        region_mgr,
        form_id,
        meta.table.name,
        col,
        option_ids,
        sorted(u for u in user_ids if home[u] == team),
        sorted(u for u in user_ids if home[u] in below[region]),
    )


def seed(s: Setup, rows: int, first_user: int) -> float:
    """One INSERT … SELECT over a row generator; owners cycle through the 200 users in a
    scattered order (x·37 mod 200), so every owner's records spread over the whole table."""
    statuses = list(s.option_ids.values())
    # status from x / 200, not x: the owner is a function of x mod 200, and a status from
    # x mod 5 would give each owner a single status (a team would match no filter)
    status_case = (
        "CASE (x / 200) % 5 "
        + " ".join(f"WHEN {i} THEN '{sid}'" for i, sid in enumerate(statuses))
        + " END"
    )
    c = s.col
    cols = (
        f"created_at, updated_at, created_by, updated_by, owner, version, "
        f"{c['name']}, {c['phone']}, {c['status']}, {c['amount']}"
    )
    owner = f"{first_user} + ((x * 37) % {USERS})"
    # money is stored as value × 10^4; amounts are scattered over 0 … 1,000,000 yuan
    amount = "((x * 7919) % 1000000) * 10000"
    if s.kind == "sqlite":
        sql = (
            f"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < {rows}) "
            f"INSERT INTO {s.table} ({cols}) SELECT '2026-01-01 00:00:00.000000', "
            f"'2026-01-01 00:00:00.000000', {owner}, {owner}, {owner}, 1, '客户' || x, "
            f"'138' || printf('%08d', x), {status_case}, {amount} FROM g"
        )
    else:
        sql = (
            f"INSERT INTO {s.table} ({cols}) SELECT timestamptz '2026-01-01 00:00:00+00', "
            f"timestamptz '2026-01-01 00:00:00+00', {owner}, {owner}, {owner}, 1, "
            f"'客户' || x, '138' || lpad(x::text, 8, '0'), {status_case}, {amount} "
            f"FROM generate_series(1::bigint, {rows}::bigint) AS x"
        ).replace("%", "%%")  # no parameters, but psycopg still reads placeholders
    start = time.perf_counter()
    with s.rt.db.engine.begin() as conn:
        conn.exec_driver_sql(sql)
    elapsed = time.perf_counter() - start
    with s.rt.db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE" if s.kind == "sqlite" else f"VACUUM (ANALYZE) {s.table}")
    console.log(f"  seeded {rows:,} rows in {elapsed:.1f} s; analyzed")
    return elapsed


# ----- raw SQL -------------------------------------------------------------------------
class Raw:
    """The same pages as hand-written SQL on a DB-API connection of the same engine."""

    def __init__(self, s: Setup) -> None:
        self.s = s
        raw = s.rt.db.engine.raw_connection()
        self.conn: Any = raw
        read = ["id", "version", "created_at", "updated_at", "created_by", "updated_by"]
        read += ["owner", "deleted_at"] + [s.col[k] for k in ("name", "phone", "status", "amount")]
        self.read = ", ".join(read)
        self.desc_nulls = "" if s.kind == "sqlite" else " NULLS LAST"

    def _run(self, sql: str) -> list[Any]:
        cur = self.conn.cursor()
        cur.execute(sql)
        rows = list(cur.fetchall())
        cur.close()
        self.conn.commit()  # end the read transaction (PostgreSQL), like a request does
        return rows

    def page(self, owners: list[int] | None, filtered: bool, with_total: bool) -> Any:
        s, c = self.s, self.s.col
        where = "deleted_at IS NULL"
        if owners is not None:
            where += f" AND owner IN ({', '.join(map(str, owners))})"
        order = "id DESC"
        if filtered:
            status = s.option_ids[FILTER_STATUS]
            where += (
                f" AND {c['status']} = '{status}' AND {c['amount']} >= {FILTER_AMOUNT * 10_000}"
            )
            order = f"{c['amount']} DESC{self.desc_nulls}, id DESC"
        rows = self._run(
            f"SELECT {self.read} FROM {s.table} WHERE {where} ORDER BY {order} LIMIT 51"
        )
        total = None
        if with_total:
            total = self._run(f"SELECT count(*) FROM {s.table} WHERE {where}")[0][0]
        return rows, total

    def close(self) -> None:
        self.conn.close()


# ----- timing --------------------------------------------------------------------------
def time_round_robin(
    fns: dict[str, Callable[[], Any]], budget: float, warmup: int = 3, min_n: int = 5
) -> dict[str, dict[str, Any]]:
    """Call every function once per round (rotating the order) until ``budget`` s."""
    names = list(fns)
    for _ in range(warmup):
        for name in names:
            fns[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    start = clock()
    i = 0
    while clock() - start < budget or i < min_n:
        order = names[i % len(names) :] + names[: i % len(names)]
        for name in order:
            t0 = clock()
            fns[name]()
            times[name].append(clock() - t0)
        i += 1
    return {name: stats(t) for name, t in times.items()}


def check(label: str, page: dict[str, Any], raw: tuple[list[Any], int | None]) -> None:
    ids = [item["id"] for item in page["items"]]
    raw_ids = [r[0] for r in raw[0][:50]]
    if ids != raw_ids or page["total"] != raw[1]:
        raise SystemExit(
            f"{label}: qiao and raw SQL disagree: {ids[:5]}… total {page['total']} vs "
            f"{raw_ids[:5]}… total {raw[1]}"
        )


PAGES = {
    "newest page + total": (False, True),
    "newest page, no total": (False, False),
    "filtered page + total": (True, True),
}


def run_engine(kind: str, url: str, args: argparse.Namespace) -> dict[str, Any]:
    console.rule(f"[bold]{kind}")
    s = setup(kind, url)
    with s.rt.db.read() as conn:
        u = schema.users
        ids = sorted(conn.execute(sa.select(u.c.id).where(u.c.username.like("u%"))).scalars())
    first_user = ids[0]
    assert ids == list(range(first_user, first_user + USERS)), "user ids must be contiguous"
    seed(s, args.rows, first_user)
    raw = Raw(s)
    results = []
    try:
        for label, (filtered, with_total) in PAGES.items():
            tree = None
            sort = "-id"
            if filtered:
                tree = {
                    "and": [
                        {"field": "status", "op": "eq", "value": FILTER_STATUS},
                        {"field": "amount", "op": "gte", "value": FILTER_AMOUNT},
                    ]
                }
                sort = "-amount"
            query = ListQuery(filter=tree, sort=sort, limit=50, with_total=with_total)

            def qiao(ctx: Ctx, query: ListQuery = query) -> Callable[[], Any]:
                return lambda: service.list_(s.rt, ctx, s.form_id, query)

            fns: dict[str, Callable[[], Any]] = {
                "admin (no scope)": qiao(s.admin),
                "department scope": qiao(s.team_rep),
                "department tree": qiao(s.region_mgr),
                "raw, no scope": lambda f=filtered, t=with_total: raw.page(None, f, t),
                "raw, owners listed": lambda f=filtered, t=with_total: raw.page(s.team_ids, f, t),
            }
            if with_total:
                check(f"{label} admin", fns["admin (no scope)"](), fns["raw, no scope"]())
                check(f"{label} department", fns["department scope"](), fns["raw, owners listed"]())
                check(
                    f"{label} tree",
                    fns["department tree"](),
                    raw.page(s.region_ids, filtered, with_total),
                )
            timed = time_round_robin(fns, args.budget)
            admin_ms = timed["admin (no scope)"]["mean_ms"]
            dept_ms = timed["department scope"]["mean_ms"]
            row = {
                "page": label,
                "times": timed,
                "scope_vs_no_scope": dept_ms / admin_ms,
                "tree_vs_no_scope": timed["department tree"]["mean_ms"] / admin_ms,
                "scope_vs_raw_scoped": dept_ms / timed["raw, owners listed"]["mean_ms"],
                "no_scope_vs_raw": admin_ms / timed["raw, no scope"]["mean_ms"],
            }
            results.append(row)
            console.log(f"  {label}: scope ÷ no scope {row['scope_vs_no_scope']:.2f}×")
        with s.rt.db.read() as conn:
            version = conn.exec_driver_sql(
                "SELECT sqlite_version()" if kind == "sqlite" else "SHOW server_version"
            ).scalar()
    finally:
        raw.close()
        s.rt.db.engine.dispose()
    return {
        "engine": kind,
        "server_version": str(version),
        "rows": args.rows,
        "team_owners": len(s.team_ids),
        "tree_owners": len(s.region_ids),
        "results": results,
    }


def print_table(report: dict[str, Any]) -> None:
    table = Table(
        title=(
            f"department scope vs no scope — {report['engine']} {report['server_version']}, "
            f"{report['rows']:,} rows (team: {report['team_owners']} of {USERS} owners, "
            f"tree: {report['tree_owners']})"
        )
    )
    columns = ["page", "admin", "dept scope", "dept tree", "raw", "raw scoped"]
    columns += ["scope ÷ no scope", "scope ÷ raw scoped", "target"]
    for name in columns:
        table.add_column(name, justify="left" if name == "page" else "right")
    for r in report["results"]:
        t = r["times"]
        ok = r["scope_vs_no_scope"] <= 1.3
        table.add_row(
            r["page"],
            *(
                f"{t[k]['mean_ms']:.2f} ms"
                for k in (
                    "admin (no scope)",
                    "department scope",
                    "department tree",
                    "raw, no scope",
                    "raw, owners listed",
                )
            ),
            f"{r['scope_vs_no_scope']:.2f}×",
            f"{r['scope_vs_raw_scoped']:.2f}×",
            "[green]≤ 1.3× ✔" if ok else "[red]> 1.3× ✘",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--budget", type=float, default=8.0, help="seconds per page kind")
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="qiao_bench_perm")
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args(argv)
    reports = []
    workdir = Path(tempfile.mkdtemp(prefix="qiao-bench-perm-"))
    for kind in args.engines.split(","):
        kind = kind.strip()
        if kind == "sqlite":
            path = workdir / "perm.db"
            reports.append(run_engine(kind, f"sqlite:///{path}", args))
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        elif kind == "postgresql":
            admin = sa.create_engine(
                args.pg_url.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
                isolation_level="AUTOCOMMIT",
            )
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                conn.exec_driver_sql(f'CREATE DATABASE "{args.pg_db}"')
            try:
                reports.append(run_engine(kind, f"{args.pg_url}/{args.pg_db}", args))
            finally:
                if not args.keep:
                    with admin.connect() as conn:
                        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
                admin.dispose()
        else:
            raise SystemExit(f"unknown engine {kind!r}")
        print_table(reports[-1])
    out = {
        "when": datetime.now(UTC).isoformat(),
        "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version()},
        "git": git_revision(),
        **rss_mib(),
        "engines": reports,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "permissions-latest.json").write_text(json.dumps(out, indent=2, default=str))
    failed = [r["page"] for rep in reports for r in rep["results"] if r["scope_vs_no_scope"] > 1.3]
    if failed:
        console.print(f"[red]scope costs more than 1.3× no scope on: {', '.join(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
