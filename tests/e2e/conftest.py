"""Browser fixtures: a real ``qiao serve`` (SQLite, the built web app) and Debian's
Chromium driven by Playwright. Screenshots go to ``test-artifacts/screenshots``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.server import Server, admin_password, serve_environment, start

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots"
WEB_DIST = ROOT / "src" / "qiao" / "web" / "dist" / "index.html"
CHROMIUM = os.environ.get("QIAO_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


class Site:
    """The running server with its admin account and a logged-in API client."""

    def __init__(self, server: Server, password: str) -> None:
        self.server = server
        self.url = server.url
        self.password = password
        self.http = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30)
        response = self.http.post("/auth/login", json={"username": "admin", "password": password})
        response.raise_for_status()
        self.http.headers["X-CSRF-Token"] = response.json()["csrf_token"]

    def call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.http.request(method, path, json=body)
        assert response.status_code < 300, response.text
        return response.json() if response.content else None


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    assert WEB_DIST.exists(), "the web app is not built: run `make web` (make test does)"
    cwd = tmp_path_factory.mktemp("browser-site")
    server = start(serve_environment(cwd / "qiao-data"), cwd, "serve")
    try:
        yield Site(server, admin_password(server))
    finally:
        server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} missing: run scripts/ensure-system-deps.sh"
    with sync_playwright() as p:
        p.selectors.set_test_id_attribute("data-test")  # the SPA marks elements with data-test
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(
    browser: Any, site: Site, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Any]]:
    """Open a page in a fresh context: ``new_page(locale="en", viewport=PHONE)``."""
    contexts: list[Any] = []

    def make(locale: str = "zh-CN", viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.add_init_script(f"localStorage.setItem('qiao.locale', '{locale}')")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None)
    for index, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for page in context.pages:
                shot(page, f"FAILED-{request.node.name}-{index}")
        context.close()


def shot(page: Any, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def field(page: Any, test_id: str) -> Any:
    """The text input marked ``data-test=test_id``: Element Plus puts the attribute on
    the <input> itself for el-input, on a wrapper for most other components."""
    return page.locator(
        f'input[data-test="{test_id}"], textarea[data-test="{test_id}"], '
        f'[data-test="{test_id}"] input, [data-test="{test_id}"] textarea'
    ).first


def log_in(page: Any, site: Site, username: str = "admin", password: str | None = None) -> None:
    page.goto(f"{site.url}/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[type=password]").fill(password or site.password)
    page.locator("input[type=password]").press("Enter")
    page.wait_for_url(f"{site.url}/")


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.when == "call":
        item.rep_call = report  # type: ignore[attr-defined]
