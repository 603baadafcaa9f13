"""``qiao import``: the import wizard on the command line, run in process (typer's
CliRunner) against the test database of either engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from qiao.cli import app
from qiao.context import Ctx
from qiao.db import schema
from qiao.forms import apps, service
from qiao.forms.inputs import AppIn, FieldIn, FormIn
from qiao.org import users
from qiao.records.reads import ListQuery
from qiao.records.service import list_
from qiao.runtime import Runtime
from tests.io.sheets import csv_bytes, xlsx_openpyxl

runner = CliRunner()


@pytest.fixture
def cli_env(rt: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The command opens the same database and data folder as the test's runtime."""
    monkeypatch.setenv("QIAO_DATA_DIR", str(rt.settings.data_dir))
    monkeypatch.setenv("QIAO_DATABASE_URL", str(rt.settings.database_url))
    monkeypatch.setenv("QIAO_SECRET_KEY", "test-secret")
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.delenv("QIAO_LOCALE", raising=False)


@pytest.fixture
def form(rt: Runtime, ctx: Ctx) -> dict[str, Any]:
    app_id = apps.create_app(rt, ctx, AppIn(name="CRM"))["id"]
    fields = [
        FieldIn(key="name", label="客户名称", type="text", required=True),
        FieldIn(key="phone", label="电话", type="phone"),
        FieldIn(key="signed", label="签约日期", type="date"),
        FieldIn(key="amount", label="金额", type="money"),
    ]
    return service.create_form(rt, ctx, app_id, FormIn(name="客户", fields=fields))


def records(rt: Runtime, ctx: Ctx, form_id: int) -> list[dict[str, Any]]:
    page = list_(rt, ctx, form_id, ListQuery(limit=100, sort="id"))
    return [r["data"] for r in page["items"]]


ROWS = [
    ["客户名称", "电话", "签约日期", "金额"],
    ["华信科技", "+86 138 0013 8000", "2024年3月5日", "￥1,200.50"],
    ["鼎盛贸易", "139-0013-9000", "2024/3/6", "1.5万"],
    ["华信科技", "13800138000", "20240307", "300"],  # the same customer again
    ["", "186 0000 1111", "2024-03-08", "12"],  # no name: required
]


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_import_with_dedupe_and_progress(
    cli_env: None, rt: Runtime, ctx: Ctx, form: dict[str, Any], tmp_path: Path
) -> None:
    path = write(tmp_path, "客户.xlsx", xlsx_openpyxl(ROWS))
    result = runner.invoke(
        app, ["import", str(path), "--form", str(form["id"]), "--dedupe", "name,phone"]
    )
    assert result.exit_code == 0, result.output
    assert "Import done: 2 created, 0 updated, 1 skipped, 1 failed" in result.output
    assert "Importing" in result.output  # the progress bar's label
    data = records(rt, ctx, form["id"])
    assert [(d["name"], d["phone"], d["signed"]) for d in data] == [
        ("华信科技", "13800138000", "2024-03-05"),
        ("鼎盛贸易", "13900139000", "2024-03-06"),
    ]
    assert data[1]["amount"] in ("15000.00", 15000, 15000.0, "15000")


def test_dry_run_shows_the_summary_and_errors_and_writes_nothing(
    cli_env: None, rt: Runtime, ctx: Ctx, form: dict[str, Any], tmp_path: Path
) -> None:
    path = write(tmp_path, "客户.csv", csv_bytes(ROWS, encoding="gbk"))
    result = runner.invoke(app, ["import", str(path), "--form", str(form["id"]), "--dry-run"])
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())
    assert "Import preview" in out
    assert "Rows │ 4" in out and "With errors │ 1" in out and "To create │ 3" in out
    assert "First errors" in out and "客户名称" in out
    assert records(rt, ctx, form["id"]) == []


def test_mapping_by_json_and_header_row_and_user(
    cli_env: None, rt: Runtime, ctx: Ctx, form: dict[str, Any], tmp_path: Path
) -> None:
    rows = [["客户导出 2024"], ["公司", "手机", "备注"], ["远航物流", "13700137000", "x"]]
    path = write(tmp_path, "export.xlsx", xlsx_openpyxl(rows))
    rt.db.write(lambda c: users.create_user(c, "li", "user-pass-1", is_admin=True))
    mapping = json.dumps({"公司": "name", "手机": "phone", "备注": None}, ensure_ascii=False)
    args = ["import", str(path), "--form", str(form["id"]), "--header-row", "2"]
    result = runner.invoke(app, [*args, "--mapping", mapping, "--user", "li"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output
    [data] = records(rt, ctx, form["id"])
    assert (data["name"], data["phone"]) == ("远航物流", "13700137000")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--user", "nobody"], 'The user "nobody" does not exist or is deactivated'),
        (["--mapping", "weekly"], 'The form has no saved mapping named "weekly"'),
        (["--mapping", '{"传真": "phone"}'], 'names the column "传真"'),
        (["--dedupe", "fax"], "fax"),
    ],
)
def test_errors_exit_1_with_the_message(
    cli_env: None,
    form: dict[str, Any],
    tmp_path: Path,
    extra: list[str],
    message: str,
) -> None:
    path = write(tmp_path, "客户.xlsx", xlsx_openpyxl(ROWS))
    result = runner.invoke(app, ["import", str(path), "--form", str(form["id"]), *extra])
    assert result.exit_code == 1, result.output
    assert "error:" in result.output
    assert message in " ".join(result.output.split())


def test_missing_file_and_chinese_messages(
    cli_env: None, form: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("QIAO_LOCALE", "zh-CN")
    result = runner.invoke(app, ["import", str(tmp_path / "无.xlsx"), "--form", str(form["id"])])
    assert result.exit_code == 1
    assert "找不到文件" in result.output


def test_an_inactive_user_or_no_active_admin_is_refused(
    cli_env: None, rt: Runtime, ctx: Ctx, form: dict[str, Any], tmp_path: Path
) -> None:
    # the same resolution of --user as `qiao export` (qiao.org.users.acting_user)
    t = schema.users
    path = write(tmp_path, "客户.xlsx", xlsx_openpyxl(ROWS))
    args = ["import", str(path), "--form", str(form["id"])]
    rt.db.write(lambda c: users.create_user(c, "li", "user-pass-1", is_admin=True))
    rt.db.write(
        lambda c: c.execute(sa.update(t).where(t.c.username == "li").values(is_active=False))
    )
    result = runner.invoke(app, [*args, "--user", "li"])
    assert result.exit_code == 1
    assert 'The user "li" does not exist or is deactivated' in " ".join(result.output.split())
    rt.db.write(lambda c: c.execute(sa.update(t).values(is_active=False)))
    result = runner.invoke(app, args)
    assert result.exit_code == 1
    assert "There is no active administrator" in " ".join(result.output.split())
    assert records(rt, ctx, form["id"]) == []
