"""Formula engine benchmark: the language alone, without a database.

    .venv/bin/python bench/formula_engine.py [--rows 100000]

For a few formulas typical of forms it reports the time to parse one formula and to
check a parsed one (design time; parsed trees are cached) and the time of one evaluation of the
compiled formula (per record: a formula field recomputed over 1,000,000 rows runs this
a million times). Evaluations are timed over ``--rows`` distinct records, best of
seven rounds (the machine may be shared: the best round is the engine's cost, the
others add other processes' noise).
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from decimal import Decimal

from qiao.formula import DictEnvironment, EvalContext, check, compile
from qiao.formula.parser import parse

FIELDS = [
    {"key": "qty", "label": "数量", "kind": "number"},
    {"key": "price", "label": "单价", "kind": "number"},
    {"key": "name", "label": "名称", "kind": "text"},
    {"key": "start", "label": "开始日期", "kind": "date"},
    {"key": "end", "label": "结束日期", "kind": "date"},
    {"key": "lines.qty", "label": "数量", "kind": "number", "many": True},
    {"key": "lines.price", "label": "单价", "kind": "number", "many": True},
]

FORMULAS = [
    "qty*price",
    "IF(qty*price>1000, ROUND(qty*price*0.95, 2), qty*price)",
    'IF(end >= start, end - start, "日期有误")',
    'name & "（" & qty & "件）"',
    "SUM(lines.qty*lines.price)",
    'COUNTIF(lines.qty, ">2")',
]


def records(count: int) -> list[dict[tuple[str, ...], object]]:
    day = date(2024, 1, 1)
    return [
        {
            ("qty",): Decimal(i % 50),
            ("price",): Decimal("39.90"),
            ("name",): f"商品{i % 97}",
            ("start",): day + timedelta(days=i % 365),
            ("end",): day + timedelta(days=i % 400),
            ("lines", "qty"): [Decimal(j % 5) for j in range(10)],
            ("lines", "price"): [Decimal("2.5")] * 10,
        }
        for i in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    env = DictEnvironment(FIELDS)
    ctx = EvalContext()
    rows = records(args.rows)
    print(f"{'formula':58} {'parse µs':>9} {'check µs':>9} {'eval µs':>8}")
    for formula in FORMULAS:
        start = time.perf_counter()
        for _ in range(200):
            parse.__wrapped__(formula)  # without the parse cache
        parse_us = (time.perf_counter() - start) / 200 * 1e6
        checked = check(formula, env)
        start = time.perf_counter()
        for _ in range(200):
            checked = check(formula, env)  # parsed already: the checker's own cost
        check_us = (time.perf_counter() - start) / 200 * 1e6
        run = compile(checked)
        best = float("inf")
        for _ in range(7):
            start = time.perf_counter()
            for row in rows:
                run(row, ctx)
            best = min(best, (time.perf_counter() - start) / len(rows))
        print(f"{formula:58} {parse_us:9.1f} {check_us:9.1f} {best * 1e6:8.2f}")


if __name__ == "__main__":
    main()
