"""``qiao serve`` as a real process over real HTTP: first start prints the admin
password, a browser-style client logs in and writes with cookie + CSRF token, and
after a restart the data and the same password are still there. Once on SQLite in the
data folder, once on a fresh PostgreSQL database."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from tests.e2e.server import admin_password, serve_environment, start

pytestmark = pytest.mark.e2e
PG_BASE = os.environ.get("QIAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    return serve_environment(tmp_path / "qiao-data")


@pytest.fixture
def pg_database(worker_id: str) -> Iterator[str]:
    name = f"qiao_e2e_{os.environ.get('QIAO_TEST_DB_SUFFIX', '')}{worker_id}"
    admin = sa.create_engine(
        f"{PG_BASE.replace('postgresql://', 'postgresql+psycopg://')}/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield f"{PG_BASE}/{name}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def log_in(http: httpx.Client, password: str) -> str:
    response = http.post("/api/v1/auth/login", json={"username": "admin", "password": password})
    assert response.status_code == 200, response.text
    assert "httponly" in response.headers["set-cookie"].lower()
    return str(response.json()["csrf_token"])


def write(http: httpx.Client, csrf: str, path: str, body: Any) -> Any:
    response = http.post(f"/api/v1{path}", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == 201, response.text
    return response.json()


def run_twice(env: dict[str, str], cwd: Path, database: str) -> None:
    first = start(env, cwd, "first")
    try:
        assert f"database: {database}" in first.output()
        password = admin_password(first)
        with httpx.Client(base_url=first.url, timeout=10) as http:
            assert http.get("/health").json()["database"] == database
            csrf = log_in(http, password)
            refused = http.post("/api/v1/apps", json={"name": "CRM"})
            assert refused.status_code == 403
            assert refused.json()["error"]["code"] == "csrf_failed"
            app = write(http, csrf, "/apps", {"name": "CRM"})
            fields = [
                {"key": "name", "label": "客户名称", "type": "text", "required": True},
                {"key": "amount", "label": "金额", "type": "money"},
            ]
            form = write(http, csrf, f"/apps/{app['id']}/forms", {"name": "客户", "fields": fields})
            record = write(
                http,
                csrf,
                f"/forms/{form['id']}/records",
                {"data": {"name": "华为", "amount": "12.30"}},
            )
    finally:
        first.stop()

    second = start(env, cwd, "second")
    try:
        assert admin_password(second) == password
        with httpx.Client(base_url=second.url, timeout=10) as http:
            csrf = log_in(http, password)
            page = http.get(f"/api/v1/forms/{form['id']}/records").json()
            assert page["total"] == 1
            assert page["items"][0]["id"] == record["id"]
            assert page["items"][0]["data"] == {"name": "华为", "amount": 12.3}
            # still writable after the restart
            write(http, csrf, f"/forms/{form['id']}/records", {"data": {"name": "中兴"}})
            assert http.get(f"/api/v1/forms/{form['id']}/records").json()["total"] == 2
    finally:
        second.stop()


def test_serve_on_sqlite(serve_env: dict[str, str], tmp_path: Path) -> None:
    run_twice(serve_env, tmp_path, "sqlite")
    data_dir = Path(serve_env["QIAO_DATA_DIR"])
    assert (data_dir / "qiao.db").exists()
    assert (data_dir / "secret_key").exists()
    assert (data_dir / "initial_admin_password").stat().st_mode & 0o077 == 0


def test_serve_on_postgresql(serve_env: dict[str, str], tmp_path: Path, pg_database: str) -> None:
    serve_env["QIAO_DATABASE_URL"] = pg_database
    run_twice(serve_env, tmp_path, "postgresql")
    assert not (Path(serve_env["QIAO_DATA_DIR"]) / "qiao.db").exists()
