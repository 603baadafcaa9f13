"""The ``qiao`` command, run in process against an SQLite data folder in a temp dir."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qiao import __version__
from qiao.cli import app
from qiao.config import Settings
from qiao.context import Ctx, utcnow
from qiao.db import schema
from qiao.forms import apps, service
from qiao.forms.inputs import AppIn, FieldIn, FormIn
from qiao.org import users
from qiao.org.passwords import verify_password
from qiao.runtime import Runtime

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("QIAO_DATA_DIR", str(path))
    for name in ("QIAO_DATABASE_URL", "QIAO_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return path


def runtime(data_dir: Path) -> Runtime:
    return Runtime.from_settings(Settings(data_dir=data_dir))


def user_rows(data_dir: Path) -> list[sa.Row[tuple[object, ...]]]:
    rt = runtime(data_dir)
    try:
        with rt.db.read() as conn:
            return list(conn.execute(sa.select(schema.users).order_by(schema.users.c.id)))
    finally:
        rt.db.dispose()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"qiao {__version__}"


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("serve", "init", "user", "purge"):
        assert command in result.stdout


def test_init_creates_the_first_admin(data_dir: Path) -> None:
    result = runner.invoke(app, ["init", "--username", "Boss", "--password", "boss-pass-1"])
    assert result.exit_code == 0, result.output
    assert "Created administrator boss" in result.stdout
    assert (data_dir / "qiao.db").exists()
    [row] = user_rows(data_dir)
    assert (row.username, row.is_admin, row.is_active) == ("boss", True, True)
    assert row.password_hash.startswith("$argon2id$")
    assert verify_password(row.password_hash, "boss-pass-1")


def test_second_init_refuses(data_dir: Path) -> None:
    assert (
        runner.invoke(app, ["init", "--username", "boss", "--password", "boss-pass-1"]).exit_code
        == 0
    )
    result = runner.invoke(app, ["init", "--username", "other", "--password", "other-pass-1"])
    assert result.exit_code == 1
    assert "already initialised" in result.stdout
    assert [r.username for r in user_rows(data_dir)] == ["boss"]


def test_init_prompts_without_flags(data_dir: Path) -> None:
    result = runner.invoke(app, ["init"], input="\nprompted-pass-1\nprompted-pass-1\n")
    assert result.exit_code == 0, result.output
    [row] = user_rows(data_dir)
    assert row.username == "admin"  # the default offered by the prompt
    assert verify_password(row.password_hash, "prompted-pass-1")


def test_init_with_a_short_password_fails(data_dir: Path) -> None:
    result = runner.invoke(app, ["init", "--username", "boss", "--password", "short"])
    assert result.exit_code == 1
    assert "error: The password needs at least 8 characters" in result.stdout
    assert user_rows(data_dir) == []


def test_user_create(data_dir: Path) -> None:
    runner.invoke(app, ["init", "--username", "boss", "--password", "boss-pass-1"])
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "--username",
            "li.lei",
            "--password",
            "lilei-pass-1",
            "--display-name",
            "李雷",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Created user li.lei" in result.stdout
    rows = user_rows(data_dir)
    assert [(r.username, r.display_name, r.is_admin) for r in rows] == [
        ("boss", "boss", True),
        ("li.lei", "李雷", False),
    ]
    result = runner.invoke(
        app, ["user", "create", "--username", "han", "--password", "han-pass-1", "--admin"]
    )
    assert result.exit_code == 0, result.output
    assert user_rows(data_dir)[-1].is_admin is True


def test_user_create_with_a_short_password_fails_clearly(data_dir: Path) -> None:
    result = runner.invoke(app, ["user", "create", "--username", "li.lei", "--password", "1234567"])
    assert result.exit_code == 1
    assert "error: The password needs at least 8 characters" in result.stdout
    assert "Traceback" not in result.output
    assert user_rows(data_dir) == []


def test_user_create_refuses_bad_and_taken_names(data_dir: Path) -> None:
    args = ["user", "create", "--password", "long-enough-1", "--username"]
    assert runner.invoke(app, [*args, "li.lei"]).exit_code == 0
    taken = runner.invoke(app, [*args, "LI.LEI"])
    assert taken.exit_code == 1
    assert "error: This username is taken" in taken.stdout
    bad = runner.invoke(app, [*args, "李 雷"])
    assert bad.exit_code == 1
    assert "error: Usernames use letters" in bad.stdout
    assert [r.username for r in user_rows(data_dir)] == ["li.lei"]


def test_purge_runs(data_dir: Path) -> None:
    result = runner.invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 0 fields, 0 forms, 0 apps" in result.stdout


def test_purge_drops_expired_fields(data_dir: Path) -> None:
    runner.invoke(app, ["init", "--username", "boss", "--password", "boss-pass-1"])
    rt = runtime(data_dir)
    with rt.db.read() as conn:
        boss = users.user_from_row(users.find_user_row(conn, "boss"))
    ctx = Ctx(user=boss, tz=rt.tz)
    app_id = apps.create_app(rt, ctx, AppIn(name="CRM"))["id"]
    fields = [
        FieldIn(key="name", label="名称", type="text"),
        FieldIn(key="memo", label="备注", type="text"),
    ]
    form = service.create_form(rt, ctx, app_id, FormIn(name="客户", fields=fields))
    memo = next(f for f in form["fields"] if f["key"] == "memo")
    service.delete_field(rt, ctx, form["id"], memo["id"])

    result = runner.invoke(app, ["purge"])
    assert "purged 0 fields" in result.stdout  # deleted today: kept for 30 days

    f = schema.fields
    rt.db.write(
        lambda c: c.execute(
            sa.update(f)
            .where(f.c.id == memo["id"])
            .values(deleted_at=utcnow() - timedelta(days=31))
        )
    )
    result = runner.invoke(app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "purged 1 fields, 0 forms, 0 apps" in result.stdout
    with rt.db.read() as conn:
        keys = conn.execute(sa.select(f.c.key).where(f.c.form_id == form["id"])).scalars().all()
    assert keys == ["name"]
    rt.db.dispose()
