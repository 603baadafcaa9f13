"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, an app, clients.

SQLite: each test gets its own file, copied from a template migrated once per session.
PostgreSQL: each xdist worker gets its own database, migrated once; between tests the
form tables are dropped and the platform tables truncated.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from qiao.app import create_app
from qiao.config import Settings
from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.db.engine import make_engine
from qiao.db.migrate import upgrade
from qiao.db.uow import Database
from qiao.forms.catalog import SchemaCache
from qiao.org import auth, users
from qiao.runtime import Runtime

PG_BASE = os.environ.get("QIAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_url(worker_id: str) -> Iterator[str]:
    # QIAO_TEST_DB_SUFFIX keeps concurrent test runs on one machine apart
    name = f"qiao_test_{os.environ.get('QIAO_TEST_DB_SUFFIX', '')}{worker_id}"
    admin = sa.create_engine(
        f"{PG_BASE.replace('postgresql://', 'postgresql+psycopg://')}/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = f"{PG_BASE}/{name}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def reset_postgres(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        names = sa.inspect(conn).get_table_names()
        for name in names:
            if name.startswith(("qj_", "qs_")):
                conn.exec_driver_sql(f'DROP TABLE "{name}" CASCADE')
        for name in names:
            if name.startswith("qf_"):
                conn.exec_driver_sql(f'DROP TABLE "{name}" CASCADE')
        platform = ", ".join(f'"{t.name}"' for t in schema.metadata.sorted_tables)
        conn.exec_driver_sql(f"TRUNCATE {platform} RESTART IDENTITY CASCADE")


def test_settings(tmp_path: Path, url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=url,
        secret_key="test-secret",
        login_delay_seconds=0,
    )


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def rt(engine_name: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Runtime]:
    if engine_name == "sqlite":
        path = tmp_path / "qiao.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
    settings = test_settings(tmp_path, url)
    engine = make_engine(url)
    if engine_name == "postgresql":
        reset_postgres(engine)
    runtime = Runtime(settings, Database(engine), SchemaCache())
    yield runtime
    engine.dispose()


@pytest.fixture
def admin(rt: Runtime) -> users.User:
    return rt.db.write(
        lambda c: users.create_user(
            c, "admin", "admin-pass-1", is_admin=True, display_name="管理员"
        )
    )


@pytest.fixture
def ctx(admin: users.User, rt: Runtime) -> Ctx:
    return Ctx(user=admin, tz=rt.tz)


class Api:
    """A TestClient bound to one user's API token, with JSON helpers."""

    def __init__(self, client: TestClient, token: str | None, locale: str = "zh-CN") -> None:
        self.client = client
        self.headers = {"Accept-Language": locale}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, f"/api/v1{path}", headers=headers, **kwargs)

    def get(self, path: str, **kw: Any) -> Any:
        return self.request("GET", path, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, json=json, **kw)

    def patch(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PATCH", path, json=json, **kw)

    def put(self, path: str, json: Any = None, **kw: Any) -> Any:
        return self.request("PUT", path, json=json, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self.request("DELETE", path, **kw)

    # conveniences -------------------------------------------------------------------
    def ok(self, response: Any, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json() if response.content else None

    def make_app(self, name: str = "CRM") -> dict[str, Any]:
        return self.ok(self.post("/apps", {"name": name}), 201)

    def make_form(
        self, fields: list[dict[str, Any]], name: str = "客户", app_id: int | None = None
    ) -> dict[str, Any]:
        if app_id is None:
            app_id = self.make_app()["id"]
        return self.ok(self.post(f"/apps/{app_id}/forms", {"name": name, "fields": fields}), 201)

    def create(self, form_id: int, data: dict[str, Any]) -> dict[str, Any]:
        return self.ok(self.post(f"/forms/{form_id}/records", {"data": data}), 201)

    def open_to_everyone(self, form_id: int, operations: list[str] | None = None) -> None:
        """Let every member work on every record of the form (new forms start with
        "own records" only)."""
        groups = self.ok(self.get(f"/forms/{form_id}/permission-groups"))["items"]
        ops = operations or ["view", "create", "edit", "delete", "import", "export"]
        self.ok(
            self.patch(f"/permission-groups/{groups[0]['id']}", {"operations": ops, "scope": "all"})
        )

    def list(self, form_id: int, **params: Any) -> dict[str, Any]:
        return self.ok(self.get(f"/forms/{form_id}/records", params=params))


@pytest.fixture
def app(rt: Runtime, tmp_path: Path) -> Any:
    # no web build: tests must not depend on whether `npm run build` ran on this machine
    return create_app(
        runtime=rt, migrate=False, background=False, web_dist=tmp_path / "no-web-build"
    )


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def client_with(rt: Runtime) -> Iterator[Callable[..., TestClient]]:
    """Clients of apps on the same database whose settings are overridden."""
    with ExitStack() as stack:

        def make(raise_server_exceptions: bool = True, **overrides: Any) -> TestClient:
            settings = rt.settings.model_copy(update=overrides)
            runtime = Runtime(settings, rt.db, SchemaCache())
            app = create_app(
                runtime=runtime,
                migrate=False,
                background=False,
                web_dist=rt.settings.data_dir / "no-web-build",
            )
            client = TestClient(app, raise_server_exceptions=raise_server_exceptions)
            return stack.enter_context(client)

        yield make


def token_for(rt: Runtime, user: users.User) -> str:
    return str(auth.create_api_token(rt.db, user, "test", utcnow())["token"])


@pytest.fixture
def api(client: TestClient, rt: Runtime, admin: users.User) -> Api:
    return Api(client, token_for(rt, admin))


@pytest.fixture
def make_user(rt: Runtime, client: TestClient) -> Any:
    def make(username: str, *, is_admin: bool = False, locale: str = "zh-CN") -> Api:
        user = rt.db.write(
            lambda c: users.create_user(c, username, "user-pass-1", is_admin=is_admin)
        )
        return Api(client, token_for(rt, user), locale)

    return make
