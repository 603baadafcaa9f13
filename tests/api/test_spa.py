"""The web app is served at / with history-mode routing, and never hides the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from qiao.app import create_app
from qiao.runtime import Runtime


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text("<!doctype html><div id=app>qiao-spa</div>")
    (root / "assets" / "index-abc123.js").write_text("console.log('qiao')")
    return root


def test_spa_routes_and_assets(rt: Runtime, dist: Path) -> None:
    app = create_app(runtime=rt, migrate=False, background=False, web_dist=dist)
    with TestClient(app) as client:
        for path in ("/", "/login", "/apps/3/forms/7"):
            page = client.get(path)
            assert page.status_code == 200 and "qiao-spa" in page.text, path
            assert page.headers["cache-control"] == "no-cache"
        asset = client.get("/assets/index-abc123.js")
        assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
        assert client.get("/assets/missing.js").status_code == 404
        missing_api = client.get("/api/v1/no-such-thing")
        assert missing_api.status_code == 404
        assert missing_api.json()["error"]["code"] == "route_not_found"
        assert client.get("/health").json()["status"] == "ok"


def test_without_a_build_the_root_says_how_to_get_one(rt: Runtime, tmp_path: Path) -> None:
    app = create_app(runtime=rt, migrate=False, background=False, web_dist=tmp_path / "none")
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200 and "make run" in page.text


def test_assets_are_compressed_for_browsers_that_accept_gzip(rt: Runtime, dist: Path) -> None:
    (dist / "assets" / "vendor-x1.js").write_text("export const greeting = '你好';\n" * 400)
    app = create_app(runtime=rt, migrate=False, background=False, web_dist=dist)
    with TestClient(app) as client:
        big = client.get("/assets/vendor-x1.js", headers={"Accept-Encoding": "gzip"})
        assert big.headers["content-encoding"] == "gzip"
        assert big.text.count("你好") == 400  # the client inflates it again
        plain = client.get("/assets/vendor-x1.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
