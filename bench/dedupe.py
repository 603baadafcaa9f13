"""De-duplication benchmark: an import's file rows against existing records, and the
duplicate finder of existing data.

    .venv/bin/python bench/dedupe.py [--rows 100000] [--url postgresql+psycopg://…]

Fills a customer form with ``--rows`` records (raw executemany: the write path is not
what is measured here), company names from cities × words × industries × legal
suffixes with one in ten a variant of another (other suffix, width, spaces, a
homophone), then times:

- loading the keys of the existing records (``Deduper.__init__``: one SELECT);
- ``Deduper.check`` of ``--rows`` file rows (half of them duplicates of existing
  records, a tenth of earlier rows), exact on the phone and fuzzy on the name;
- ``find_groups`` over the existing records, exact (SQL GROUP BY) and fuzzy.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from bench.formulas import make_runtime  # noqa: E402
from qiao.context import Ctx  # noqa: E402
from qiao.forms.inputs import FieldIn, FormIn  # noqa: E402
from qiao.forms.service import create_form  # noqa: E402
from qiao.io.dedupe import Deduper  # noqa: E402
from qiao.io.merge import find_groups  # noqa: E402
from qiao.runtime import Runtime  # noqa: E402

CITIES = [
    "北京",
    "上海",
    "深圳",
    "广州",
    "杭州",
    "南京",
    "苏州",
    "成都",
    "武汉",
    "西安",
    "重庆",
    "天津",
    "长沙",
    "郑州",
    "青岛",
    "厦门",
]
WORDS = list("华盛泰丰恒通达信安康永利兴隆鑫源宏博远创新科嘉瑞祥和金银光明天地海山")
TRADES = ["科技", "贸易", "电子", "网络技术", "实业", "物流", "医药", "建材", "食品", "咨询"]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "集团有限公司"]
HOMOPHONES = {"华": "化", "达": "大", "信": "新", "利": "力", "源": "元", "博": "波"}


def company(rng: random.Random) -> str:
    word = "".join(rng.choice(WORDS) for _ in range(rng.choice((2, 3, 4))))
    return f"{rng.choice(CITIES)}市{word}{rng.choice(TRADES)}{rng.choice(SUFFIXES)}"


def variant(name: str, rng: random.Random) -> str:
    """The same company as someone else typed it."""
    for suffix in SUFFIXES:
        name = name.removesuffix(suffix)
    pick = rng.random()
    if pick < 0.3:
        return name + rng.choice(SUFFIXES)
    if pick < 0.6:
        return "".join(HOMOPHONES.get(c, c) for c in name)
    if pick < 0.8:
        return name.replace("市", " 市 ")
    return name + "公司"


def phone(i: int) -> str:
    return f"13{i:09d}"


def setup(url: str, rows: int) -> tuple[Runtime, Ctx, int, list[tuple[str, str]]]:
    workdir = Path(tempfile.gettempdir()) / "qiao-bench-dedupe"
    rt, admin, app_id = make_runtime(url, workdir, "去重基准")
    fields = [
        FieldIn(key="name", label="客户名称", type="text"),
        FieldIn(key="phone", label="电话", type="phone"),
    ]
    form_id = create_form(rt, admin, app_id, FormIn(name="客户", fields=fields))["id"]
    rng = random.Random(6)
    existing: list[tuple[str, str]] = []
    for i in range(rows):
        if existing and rng.random() < 0.1:
            name, tel = rng.choice(existing)
            existing.append((variant(name, rng), tel))
        else:
            existing.append((company(rng), phone(i)))

    def fill(conn: sa.Connection) -> None:
        form = rt.form(conn, form_id)
        table = form.table
        name_col, phone_col = form.by_key["name"].column_name, form.by_key["phone"].column_name
        now = admin.now()
        system = {
            "created_at": now,
            "updated_at": now,
            "created_by": admin.user_id,
            "updated_by": admin.user_id,
            "owner": admin.user_id,
            "version": 1,
        }
        batch: list[dict[str, Any]] = []
        for name, tel in existing:
            batch.append({**system, name_col: name, phone_col: tel})
            if len(batch) == 5000:
                conn.execute(sa.insert(table), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(table), batch)

    rt.db.write(fill)
    return rt, admin, form_id, existing


def file_rows(existing: list[tuple[str, str]], rows: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    result: list[dict[str, Any]] = []
    for i in range(rows):
        pick = rng.random()
        if pick < 0.5:
            name, tel = rng.choice(existing)
            result.append({"name": variant(name, rng), "phone": tel})
        elif pick < 0.6 and result:
            result.append(dict(rng.choice(result)))
        else:
            result.append({"name": company(rng), "phone": phone(10**8 + i)})
    return result


def timed(label: str, fn: Any) -> Any:
    start = time.perf_counter()
    result = fn()
    print(f"{label:58} {time.perf_counter() - start:8.2f} s")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{tmp}/bench.db"
        rt, ctx, form_id, existing = timed(
            f"fill {args.rows:,} records (setup)", lambda: setup(url, args.rows)
        )
        rows = file_rows(existing, args.rows)
        for keys, fuzzy in ((["phone"], False), (["name"], False), (["name"], True)):
            what = f"{','.join(keys)} {'fuzzy 0.9' if fuzzy else 'exact'}"

            def build(keys: list[str] = keys, fuzzy: bool = fuzzy) -> Deduper:
                with rt.db.read() as conn:
                    return Deduper(rt, conn, ctx, rt.form(conn, form_id), keys, fuzzy, 0.9)

            deduper = timed(f"Deduper {what}: load {args.rows:,} existing keys", build)

            def check(deduper: Deduper = deduper) -> dict[str, int]:
                counts = {"file": 0, "existing": 0, "none": 0}
                for index, row in enumerate(rows):
                    hit = deduper.check(index, row)
                    counts["none" if hit is None else hit.kind] += 1
                return counts

            counts = timed(f"Deduper {what}: check {args.rows:,} file rows", check)
            print(f"    matches: {counts}")
        for body in (
            {"fields": ["phone"], "limit": 1000},
            {"fields": ["name"], "fuzzy": True, "threshold": 0.9, "limit": 1000},
        ):
            found = timed(
                f"find_groups {body['fields']} {'fuzzy' if body.get('fuzzy') else 'exact'}",
                lambda body=body: find_groups(rt, ctx, form_id, body),
            )
            print(f"    groups: {len(found['groups'])} (truncated: {found['truncated']})")
        rt.db.engine.dispose()


if __name__ == "__main__":
    main()
