"""Web app benchmark: what the first load costs and how long it takes.

Run with ``make bench`` (after ``make web``) or ``.venv/bin/python bench/webapp.py``.

1. Bundle: the chunks ``index.html`` loads up front (script, modulepreload and
   stylesheets) and the largest route chunks, raw and gzip-compressed (the server
   gzips everything over 1 KB).
2. First load: a real ``qiao serve`` (SQLite) and Debian's Chromium; each run opens a
   fresh browser context (empty cache) and measures, from navigation start as the
   browser counts it (``performance.now()``), until the login form is usable, and — logged in — until the app list is shown (the app
   shell). Median and worst of ``--runs`` runs. Target (issue 3): under 1 s on localhost.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if not (DIST / "index.html").exists():
        raise SystemExit("build the web app first: make web")
    result = {"bundle": bundle_report(DIST), "first_load": first_loads(args.runs)}
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
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "webapp-latest.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
