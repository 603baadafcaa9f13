"""``qiao serve`` as a real process over real HTTP: first start prints the admin
password, a browser-style client logs in and writes with cookie + CSRF token, and
after a restart the data and the same password are still there. Once on SQLite in the
data folder, once on a fresh PostgreSQL database."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

pytestmark = pytest.mark.e2e

QIAO = Path(sys.executable).parent / "qiao"
PG_BASE = os.environ.get("QIAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
PASSWORD_LINE = re.compile(r"Administrator: admin / password: (\S+)")
START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        """Stop with SIGTERM and check that the shutdown was a clean one."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # uvicorn re-raises the signal it handled once it has shut down
        assert self.process.returncode in (0, -signal.SIGTERM), self.output()
        assert "Application shutdown complete" in self.output()


def start(env: dict[str, str], cwd: Path, name: str) -> Server:
    port = free_port()
    log = cwd / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(QIAO), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"qiao serve exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise AssertionError(f"qiao serve did not answer within {START_TIMEOUT}s:\n{server.output()}")


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QIAO_")}
    env["QIAO_DATA_DIR"] = str(tmp_path / "qiao-data")
    env["PYTHONUNBUFFERED"] = "1"
    env["COLUMNS"] = "200"  # keep Rich from wrapping the password line
    return env


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


def admin_password(server: Server) -> str:
    found = PASSWORD_LINE.findall(server.output())
    assert len(found) == 1, server.output()
    return str(found[0])


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
