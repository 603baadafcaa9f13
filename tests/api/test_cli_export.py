"""``qiao export``: run in process (typer's CliRunner) against the test database."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qiao.cli import app
from qiao.context import Ctx
from qiao.db import schema
from qiao.forms import apps, service
from qiao.forms.inputs import AppIn, FieldIn, FormIn
from qiao.org import users
from qiao.records.service import create_record
from qiao.runtime import Runtime

runner = CliRunner()


@pytest.fixture
def cli_env(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QIAO_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("QIAO_DATABASE_URL", str(rt.settings.database_url))
    monkeypatch.setenv("QIAO_SECRET_KEY", "test-secret")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("QIAO_LOCALE", raising=False)


@pytest.fixture
def form_id(rt: Runtime, ctx: Ctx) -> int:
    app_id = apps.create_app(rt, ctx, AppIn(name="CRM"))["id"]
    fields = [
        FieldIn(key="name", label="客户名称", type="text"),
        FieldIn(key="amount", label="金额", type="money"),
    ]
    fid = int(service.create_form(rt, ctx, app_id, FormIn(name="客户", fields=fields))["id"])
    for i in range(1, 6):
        create_record(rt, ctx, fid, {"name": f"客户{i}", "amount": i * 100})
    return fid


def test_export_to_xlsx_and_csv(cli_env: None, form_id: int, tmp_path: Path) -> None:
    out = tmp_path / "客户.xlsx"
    flt = '{"field": "amount", "op": "gte", "value": 300}'
    result = runner.invoke(
        app,
        ["export", "--form", str(form_id), "--filter", flt, "--sort", "amount", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "Exported 3 records to" in result.output  # (the console wraps the path)
    ws = openpyxl.load_workbook(out).active
    assert [r[3:] for r in ws.iter_rows(min_row=2, values_only=True)] == [
        ("客户3", 300),
        ("客户4", 400),
        ("客户5", 500),
    ]
    assert not list(tmp_path.glob("*.part"))

    csv_out = tmp_path / "all.csv"
    result = runner.invoke(
        app,
        [
            "export",
            "--form",
            str(form_id),
            "--format",
            "csv",
            "--fields",
            "name",
            "-o",
            str(csv_out),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = csv_out.read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) == 6 and lines[0].endswith(",客户名称")


def test_export_as_a_user_without_the_operation_fails(
    cli_env: None, rt: Runtime, form_id: int, tmp_path: Path
) -> None:
    rt.db.write(lambda c: users.create_user(c, "bob", "user-pass-1"))
    out = tmp_path / "x.xlsx"
    result = runner.invoke(app, ["export", "--form", str(form_id), "--user", "bob", "-o", str(out)])
    assert result.exit_code == 1
    assert "error:" in result.output and not out.exists()
    result = runner.invoke(app, ["export", "--form", str(form_id), "--user", "nobody"])
    assert result.exit_code == 1
    assert 'The user "nobody" does not exist or is deactivated' in " ".join(result.output.split())


def test_without_user_the_first_active_admin_acts_and_none_is_an_error(
    cli_env: None, rt: Runtime, form_id: int, tmp_path: Path
) -> None:
    # the same resolution of --user as `qiao import` (qiao.org.users.acting_user)
    def deactivate_admins(conn: sa.Connection) -> None:
        t = schema.users
        conn.execute(sa.update(t).where(t.c.is_admin.is_(True)).values(is_active=False))

    out = tmp_path / "x.xlsx"
    rt.db.write(deactivate_admins)
    result = runner.invoke(app, ["export", "--form", str(form_id), "-o", str(out)])
    assert result.exit_code == 1 and not out.exists()
    assert "There is no active administrator" in " ".join(result.output.split())


def test_unknown_format_is_refused(cli_env: None, form_id: int, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["export", "--form", str(form_id), "--format", "pdf", "-o", str(tmp_path / "x")]
    )
    assert result.exit_code == 1 and "Unknown export format" in result.output
