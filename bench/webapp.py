"""Web app benchmark: what the first load costs and how long it takes.

Run with ``make bench`` (after ``make web``) or ``.venv/bin/python bench/webapp.py``.

1. Bundle: the chunks ``index.html`` loads up front (script, modulepreload and
   stylesheets) and the largest route chunks, raw and gzip-compressed (the server
   gzips everything over 1 KB).
2. First load: a real ``qiao serve`` (SQLite) and Debian's Chromium; each run opens a
   fresh browser context (empty cache) and measures, from navigation start as the
   browser counts it (``performance.now()``), until the login form is usable, and — logged in — until the app list is shown (the app
   shell). Median and worst of ``--runs`` runs. Target (issue 3): under 1 s on localhost.

3. Data at scale (``--rows``, default 100,000 customers with 11 fields, bulk-created
   through the HTTP API): the data view in Chromium — cold open until the first page
   of the table is shown, the next page, a quick search — and the API behind it over
   real HTTP: a filtered, sorted page of 50 with its total at concurrency 8 (p50/p95),
   and the server's resident memory afterwards.

Results are printed and written to ``bench/results/webapp-latest.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DIST = ROOT / "src" / "qiao" / "web" / "dist"
RESULTS = ROOT / "bench" / "results"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def initial_assets(dist: Path) -> list[Path]:
    """The files a first visit downloads before the router picks a page."""
    html = (dist / "index.html").read_text()
    names = re.findall(r'(?:src|href)="/assets/([^"]+)"', html)
    return [dist / "assets" / name for name in names]


def sizes(paths: list[Path]) -> tuple[int, int]:
    raw = sum(p.stat().st_size for p in paths)
    packed = sum(len(gzip.compress(p.read_bytes(), 6)) for p in paths)
    return raw, packed


def bundle_report(dist: Path) -> dict[str, Any]:
    initial = initial_assets(dist)
    raw, packed = sizes(initial)
    chunks = sorted((dist / "assets").glob("*.js"), key=lambda p: p.stat().st_size, reverse=True)
    return {
        "initial_files": [p.name for p in initial],
        "initial_raw_bytes": raw,
        "initial_gzip_bytes": packed,
        "all_js_raw_bytes": sum(p.stat().st_size for p in chunks),
        "largest_chunks": [
            {"file": p.name, "raw": p.stat().st_size, "gzip": sizes([p])[1]} for p in chunks[:8]
        ],
    }


def first_loads(runs: int) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright
    from tests.e2e.server import admin_password, serve_environment, start

    cwd = Path(tempfile.mkdtemp(prefix="qiao-bench-web-"))
    server = start(serve_environment(cwd / "data"), cwd, "serve")
    password = admin_password(server)
    login_ms: list[float] = []
    shell_ms: list[float] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for _ in range(runs):
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                page = context.new_page()
                page.goto(f"{server.url}/login")
                page.locator("input[name=username]").wait_for()
                # ms since the navigation started, as the browser counts it
                login_ms.append(page.evaluate("performance.now()"))
                page.locator("input[name=username]").fill("admin")
                page.locator("input[type=password]").fill(password)
                page.locator("input[type=password]").press("Enter")
                page.wait_for_url(f"{server.url}/")
                page.close()
                # the app shell on a cold cache with a session: a new context with the cookie
                cookies = context.cookies()
                context.close()
                context = browser.new_context(viewport={"width": 1440, "height": 900})
                context.add_cookies(cookies)
                page = context.new_page()
                page.goto(f"{server.url}/")
                page.locator("h2").first.wait_for()
                shell_ms.append(page.evaluate("performance.now()"))
                context.close()
            browser.close()
    finally:
        server.stop()

    def summary(values: list[float]) -> dict[str, float]:
        return {"median_ms": round(statistics.median(values), 1), "max_ms": round(max(values), 1)}

    return {"runs": runs, "login_page": summary(login_ms), "app_shell": summary(shell_ms)}


STAGES = ["线索", "初步接触", "需求确认", "报价", "成交", "流失"]
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "南京"]


def seed(http: Any, rows: int) -> tuple[int, int, float]:
    """An app with a 客户 form and ``rows`` customers; returns (app id, form id, rows/s)."""
    import random

    app = http.post("/apps", json={"name": "性能测试"}).json()
    fields = [
        {"key": "name", "label": "客户名称", "type": "text", "required": True},
        {
            "key": "stage",
            "label": "阶段",
            "type": "select",
            "indexed": True,
            "settings": {"choices": STAGES},
        },
        {"key": "city", "label": "城市", "type": "select", "settings": {"choices": CITIES}},
        {"key": "amount", "label": "金额", "type": "money", "indexed": True},
        {"key": "score", "label": "评分", "type": "number"},
        {"key": "signed_on", "label": "签约日期", "type": "date"},
        {"key": "phone", "label": "电话", "type": "phone"},
        {"key": "email", "label": "邮箱", "type": "email"},
        {"key": "active", "label": "有效", "type": "boolean"},
        {"key": "manager", "label": "负责人", "type": "user"},
        {"key": "notes", "label": "备注", "type": "textarea"},
    ]
    form = http.post(f"/apps/{app['id']}/forms", json={"name": "客户", "fields": fields}).json()
    me = http.get("/auth/me").json()["user"]["id"]
    rnd = random.Random(7)
    started = time.perf_counter()
    for offset in range(0, rows, 5000):
        items = [
            {
                "data": {
                    "name": f"客户{offset + i:06d}有限公司",
                    "stage": rnd.choice(STAGES),
                    "city": rnd.choice(CITIES),
                    "amount": rnd.randint(1_000, 2_000_000),
                    "score": rnd.randint(0, 100),
                    "signed_on": f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                    "phone": f"138{rnd.randint(0, 99_999_999):08d}",
                    "email": f"c{offset + i}@example.com",
                    "active": rnd.random() < 0.8,
                    "manager": me,
                    "notes": "年度采购框架" if rnd.random() < 0.1 else None,
                }
            }
            for i in range(min(5000, rows - offset))
        ]
        response = http.post(f"/forms/{form['id']}/records/bulk", json={"items": items})
        response.raise_for_status()
    return int(app["id"]), int(form["id"]), rows / (time.perf_counter() - started)


def concurrent_pages(
    url: str, cookies: Any, form_id: int, clients: int = 8, each: int = 25
) -> dict[str, float]:
    """A filtered, sorted page of 50 with its total, ``clients`` at a time over HTTP."""
    from concurrent.futures import ThreadPoolExecutor

    import httpx

    filters = [
        json.dumps(
            {
                "and": [
                    {"field": "stage", "op": "eq", "value": s},
                    {"field": "amount", "op": "gte", "value": 500_000},
                ]
            }
        )
        for s in STAGES
    ]

    def run(n: int) -> list[float]:
        took = []
        with httpx.Client(base_url=f"{url}/api/v1", cookies=cookies, timeout=60) as client:
            for i in range(each):
                params = {"filter": filters[(n + i) % len(filters)], "sort": "-amount", "limit": 50}
                started = time.perf_counter()
                client.get(f"/forms/{form_id}/records", params=params).raise_for_status()
                took.append((time.perf_counter() - started) * 1000)
        return took

    with ThreadPoolExecutor(clients) as pool:
        times = sorted(t for batch in pool.map(run, range(clients)) for t in batch)
    return {
        "requests": len(times),
        "p50_ms": round(times[len(times) // 2], 1),
        "p95_ms": round(times[int(len(times) * 0.95)], 1),
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def table_at_scale(rows: int) -> dict[str, Any]:
    import httpx
    from playwright.sync_api import sync_playwright
    from tests.e2e.server import admin_password, serve_environment, start

    cwd = Path(tempfile.mkdtemp(prefix="qiao-bench-table-"))
    server = start(serve_environment(cwd / "data"), cwd, "serve")
    result: dict[str, Any] = {"rows": rows}
    try:
        with httpx.Client(base_url=f"{server.url}/api/v1", timeout=120) as http:
            login = http.post(
                "/auth/login", json={"username": "admin", "password": admin_password(server)}
            )
            http.headers["X-CSRF-Token"] = login.json()["csrf_token"]
            app_id, form_id, rate = seed(http, rows)
            result["bulk_create_rows_per_s"] = round(rate)
            result["api_page_concurrency_8"] = concurrent_pages(server.url, http.cookies, form_id)
            cookies = [
                {"name": c.name, "value": c.value, "url": server.url} for c in http.cookies.jar
            ]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 1440, "height": 900})
            context.add_cookies(cookies)
            page = context.new_page()
            page.goto(f"{server.url}/apps/{app_id}/forms/{form_id}")
            page.locator("[data-test=table] [data-test^=row-]").first.wait_for(timeout=60_000)
            result["table_first_page_ms"] = round(page.evaluate("performance.now()"))
            first = page.locator("[data-test=table] [data-test^=row-]").first.get_attribute(
                "data-test"
            )
            started = time.perf_counter()
            page.locator("[data-test=page-next]").click()
            page.wait_for_function(
                "first => document.querySelector('[data-test=table] [data-test^=row-]')?.dataset.test !== first",
                arg=first,
            )
            result["table_next_page_ms"] = round((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            page.locator("[data-test=quick-search]").fill("客户012345")
            page.locator("[data-test=total-count]").filter(
                has_text=re.compile(r"^共 1 条$")
            ).wait_for()
            result["quick_search_ms_incl_300ms_debounce"] = round(
                (time.perf_counter() - started) * 1000
            )
            browser.close()
        result["server_rss_mb"] = rss_mb(server.process.pid)
    finally:
        server.stop()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--rows", type=int, default=100_000, help="customers for the table (0: skip)"
    )
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit("build the web app first: make web")
    result: dict[str, Any] = {"bundle": bundle_report(DIST), "first_load": first_loads(args.runs)}
    if args.rows:
        result["table"] = table_at_scale(args.rows)
    console = Console()
    bundle = result["bundle"]
    table = Table(title="web app bundle")
    table.add_column("what")
    table.add_column("raw KB", justify="right")
    table.add_column("gzip KB", justify="right")
    table.add_row(
        f"initial ({len(bundle['initial_files'])} files)",
        f"{bundle['initial_raw_bytes'] / 1024:.0f}",
        f"{bundle['initial_gzip_bytes'] / 1024:.0f}",
    )
    for chunk in bundle["largest_chunks"]:
        table.add_row(chunk["file"], f"{chunk['raw'] / 1024:.0f}", f"{chunk['gzip'] / 1024:.0f}")
    console.print(table)
    loads = result["first_load"]
    timing = Table(title=f"first load, cold cache, {loads['runs']} runs (target < 1000 ms)")
    timing.add_column("page")
    timing.add_column("median ms", justify="right")
    timing.add_column("worst ms", justify="right")
    for name in ("login_page", "app_shell"):
        timing.add_row(name, str(loads[name]["median_ms"]), str(loads[name]["max_ms"]))
    console.print(timing)
    if "table" in result:
        scale = Table(title=f"data view with {result['table']['rows']:,} records")
        scale.add_column("measure")
        scale.add_column("value", justify="right")
        for key, value in result["table"].items():
            scale.add_row(key, json.dumps(value))
        console.print(scale)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "webapp-latest.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
