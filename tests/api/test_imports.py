"""The import wizard's API: upload, mapping, cleansing preview, error report, the job in
batches, de-duplication strategies, cancel, undo, permissions (both engines)."""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa

from qiao import jobs
from qiao.db import schema
from qiao.io import import_plan
from qiao.runtime import Runtime
from tests.conftest import Api
from tests.io.sheets import (
    csv_bytes,
    messy_customers,
    via_libreoffice,
    xlsx_openpyxl,
    xlsx_xlsxwriter,
)

FIELDS = [
    {"key": "company", "label": "公司名称", "type": "text", "required": True},
    {"key": "contact", "label": "联系人", "type": "text"},
    {"key": "phone", "label": "电话", "type": "phone"},
    {"key": "email", "label": "邮箱", "type": "email"},
    {"key": "signed", "label": "签约日期", "type": "date"},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "province", "label": "省份", "type": "text"},
    {"key": "city", "label": "城市", "type": "text"},
    {
        "key": "level",
        "label": "客户等级",
        "type": "select",
        "settings": {"choices": ["A类", "B类", "C类"]},
    },
    {
        "key": "tags",
        "label": "标签",
        "type": "multiselect",
        "settings": {"choices": ["重点", "老客户", "待跟进", "已回款"]},
    },
]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(api: Api, form_id: int, content: bytes, name: str = "客户.xlsx") -> Any:
    return api.post(f"/forms/{form_id}/imports", files={"file": (name, content, XLSX)})


def start_and_run(api: Api, rt: Runtime, import_id: int) -> dict[str, Any]:
    api.ok(api.post(f"/imports/{import_id}/start"))
    jobs.run_pending(rt)
    return api.ok(api.get(f"/imports/{import_id}"))


def records(api: Api, form_id: int) -> list[dict[str, Any]]:
    return api.list(form_id, limit=500)["items"]  # type: ignore[no-any-return]


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS)


SIMPLE = [
    ["公司名称", "联系人", "电话", "签约日期", "金额"],
    ["华信科技有限公司", "王伟", "+86 138 0013 8000", "2024年3月5日", "¥1,234.50"],
    ["恒泰贸易", "李娜", "010 1234 5678", "2024/3/6", "1.2万"],
    ["鼎盛电子", "张敏", "138001380", "2024-02-30", "面议"],
]


def test_upload_proposes_mapping_and_previews_cleansed_rows(api: Api, form: dict[str, Any]) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    assert body["state"] == "draft"
    assert body["mapping"] == {
        "0": "company",
        "1": "contact",
        "2": "phone",
        "3": "signed",
        "4": "amount",
    }
    assert [c["label"] for c in body["columns"]] == SIMPLE[0]
    assert body["sheets"][0]["row_count"] == 4
    assert body["summary"]["rows"] == 3
    assert body["summary"]["errors"] == 1
    assert body["summary"]["create"] == 2
    page = api.ok(api.get(f"/imports/{body['id']}/preview"))
    assert page["total"] == 3
    first = page["items"][0]
    assert first["row_no"] == 2
    assert first["cells"]["phone"] == {
        "raw": "+86 138 0013 8000",
        "text": "13800138000",
        "changed": True,
        "issue": None,
    }
    assert first["action"] == "create"
    bad = page["items"][2]
    assert bad["action"] == "error"
    assert {e["field"] for e in bad["errors"]} >= {"phone", "signed", "amount"}
    assert all(e["message"] and e["column"] for e in bad["errors"])
    only = api.ok(api.get(f"/imports/{body['id']}/preview", params={"only": "errors"}))
    assert [r["row_no"] for r in only["items"]] == [4]


def test_import_creates_the_good_rows_and_reports_the_bad(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    done = start_and_run(api, rt, body["id"])
    assert done["state"] == "done"
    assert done["counts"] == {"total": 3, "created": 2, "updated": 0, "skipped": 0, "failed": 1}
    items = sorted(records(api, form["id"]), key=lambda r: r["id"])
    assert [r["data"]["company"] for r in items] == ["华信科技有限公司", "恒泰贸易"]
    assert items[0]["data"]["phone"] == "13800138000"
    assert items[0]["data"]["signed"] == "2024-03-05"
    assert Decimal(str(items[1]["data"]["amount"])) == Decimal("12000")
    history = api.ok(api.get(f"/forms/{form['id']}/imports"))["items"]
    assert [h["id"] for h in history] == [body["id"]]
    assert "sheets" not in history[0]


def messy_form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS)


def configure(api: Api, import_id: int, **body: Any) -> dict[str, Any]:
    return api.ok(api.patch(f"/imports/{import_id}", body))  # type: ignore[no-any-return]


def real_mobiles(messy: Any) -> Any:
    """messy_customers draws mobile prefixes such as 140, 163 or 179 that no carrier
    uses (the phone cleanser rightly refuses them): give each one a 13x prefix, the
    same way in every spelling of a number."""
    for row in messy.rows:
        cell = row[2]
        if isinstance(cell, str) and "-" in cell and cell.startswith("0"):
            continue  # a landline
        if isinstance(cell, str) and cell.replace(" ", "").isdigit() and len(cell.strip()) < 11:
            continue  # a bad row's 9-digit phone
        row[2] = re.sub(r"1[4-9](\d)", r"13\1", str(cell), count=1)
    return messy


DEDUPE = {"dedupe_keys": ["company", "phone"], "fuzzy": True, "threshold": 0.9}


def test_messy_customers_land_right_and_the_report_names_every_bad_cell(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    messy = real_mobiles(messy_customers(300))
    truth = messy.truth
    content = xlsx_xlsxwriter(messy.sheet(), date_cells=messy.serial_cells)
    body = api.ok(upload(api, form["id"], content), 201)
    assert list(body["mapping"].values()) == [f["key"] for f in FIELDS]
    unknown = body["summary"]["unknown_options"].get("level", [])
    assert set(unknown) == set(truth.unknown_levels.values())
    option_map = {"level": {"VIP": "__add__", "D类": "C类"}}
    body = configure(api, body["id"], options={**DEDUPE, "option_map": option_map})
    summary = body["summary"]
    assert summary["errors"] == len(truth.bad)
    assert summary["duplicates_file"] == len(truth.duplicate_of)
    assert summary["create"] == 300 - len(truth.bad) - len(truth.duplicate_of)
    assert summary["unknown_options"] == {}

    # the report: one row per bad row, its bad cell red with a comment naming the rule
    report = api.get(f"/imports/{body['id']}/report.xlsx")
    assert report.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(report.content)).active
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == ["错误说明 / Errors", *messy.headers]
    assert len(rows) - 1 == len(truth.bad)
    bad_rows = sorted(truth.bad)
    for out, index in zip(rows[1:], bad_rows, strict=True):
        assert out[1].value == messy.rows[index][0]  # the row as uploaded
        for header in truth.bad[index]:
            cell = out[1 + messy.headers.index(header)]
            assert cell.fill.fgColor.rgb.endswith("FFC7CE"), (index, header)
            assert cell.comment is not None and cell.comment.text
            assert header in out[0].value

    done = start_and_run(api, rt, body["id"])
    assert done["state"] == "done"
    expected = 300 - len(truth.bad) - len(truth.duplicate_of)
    assert done["counts"]["created"] == expected
    assert done["counts"]["skipped"] == len(truth.duplicate_of)
    assert done["counts"]["failed"] == len(truth.bad)
    assert api.list(form["id"], limit=1)["total"] == expected
    level = api.ok(api.get(f"/forms/{form['id']}"))["fields"]
    choices = next(f for f in level if f["key"] == "level")["settings"]["choices"]
    assert "VIP" in [c["label"] for c in choices]
    with rt.db.read() as conn:
        landed = conn.execute(
            sa.select(sa.func.count())
            .select_from(schema.import_rows)
            .where(schema.import_rows.c.import_id == body["id"])
        ).scalar()
    assert landed == 300


def test_the_fixed_report_uploaded_again_maps_the_same_and_imports(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    report = api.get(f"/imports/{body['id']}/report.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(report.content))
    sheet = book.active
    assert sheet.max_row == 2
    sheet["D2"] = "13900139000"
    sheet["E2"] = "2024-02-28"
    sheet["F2"] = "800"
    out = io.BytesIO()
    book.save(out)
    again = api.ok(upload(api, form["id"], out.getvalue(), "导入错误.xlsx"), 201)
    assert again["mapping"] == {
        "0": None,
        "1": "company",
        "2": "contact",
        "3": "phone",
        "4": "signed",
        "5": "amount",
    }
    assert again["summary"]["errors"] == 0
    done = start_and_run(api, rt, again["id"])
    assert done["counts"]["created"] == 1
    (record,) = records(api, form["id"])
    assert record["data"]["company"] == "鼎盛电子"
    assert record["data"]["signed"] == "2024-02-28"


def test_gbk_csv_with_a_merged_header_and_a_libreoffice_xls(
    api: Api, rt: Runtime, form: dict[str, Any], tmp_path: Any
) -> None:
    rows = [["公司名称", "联系人", "电话"], ["华信科技", "王伟", "138-0013-8000"]]
    body = api.ok(upload(api, form["id"], csv_bytes(rows, "gbk"), "客户.csv"), 201)
    assert body["mapping"] == {"0": "company", "1": "contact", "2": "phone"}
    assert body["summary"]["create"] == 1
    # a title row merged across the columns above the header, as people make them
    merged = xlsx_openpyxl(
        [["2024 客户名单", None, None], *rows, ["恒泰贸易", "李娜", 45358]],
        merged=["A1:C1"],
    )
    body = api.ok(upload(api, form["id"], merged), 201)
    assert body["header_row"] == 1
    assert [c["label"] for c in body["columns"]] == rows[0]
    assert body["summary"]["rows"] == 2
    path = tmp_path / "客户.xlsx"
    path.write_bytes(xlsx_openpyxl([rows[0] + ["签约日期"], rows[1] + [date(2024, 3, 5)]]))
    xls = via_libreoffice(path, "xls")
    body = api.ok(upload(api, form["id"], xls, "客户.xls"), 201)
    assert body["mapping"]["3"] == "signed"
    done = start_and_run(api, rt, body["id"])
    assert done["counts"]["created"] == 1
    (record,) = records(api, form["id"])
    assert record["data"]["signed"] == "2024-03-05"
    assert record["data"]["phone"] == "13800138000"


def existing_and_file(api: Api, form_id: int) -> tuple[int, bytes]:
    old = api.create(
        form_id, {"company": "华信科技有限公司", "phone": "13800138000", "contact": "旧"}
    )
    content = xlsx_openpyxl(
        [
            ["公司名称", "电话", "联系人"],
            ["华信科技有限公司", "138 0013 8000", "王伟"],  # the existing record
            ["恒泰贸易", "13900139000", "李娜"],
            ["恒泰贸易", "139-0013-9000", "李娜2"],  # the row above again
        ]
    )
    return int(old["id"]), content


@pytest.mark.parametrize("strategy", ["skip", "update", "create"])
def test_dedupe_strategies_and_undo(
    api: Api, rt: Runtime, form: dict[str, Any], strategy: str
) -> None:
    old_id, content = existing_and_file(api, form["id"])
    body = api.ok(upload(api, form["id"], content), 201)
    options = {"dedupe_keys": ["company", "phone"], "strategy": strategy}
    body = configure(api, body["id"], options=options)
    page = api.ok(api.get(f"/imports/{body['id']}/preview", params={"only": "duplicates"}))
    dupes = {r["row_no"]: r["duplicate"] for r in page["items"]}
    assert dupes[2] == {
        "kind": "existing",
        "record_id": old_id,
        "title": "华信科技有限公司",
        "score": 1.0,
    }
    assert dupes[4] == {"kind": "file", "row_no": 3, "score": 1.0}
    done = start_and_run(api, rt, body["id"])
    by_company = {}
    for r in records(api, form["id"]):
        by_company.setdefault(r["data"]["company"], []).append(r)
    counts = done["counts"]
    if strategy == "skip":
        assert (counts["created"], counts["updated"], counts["skipped"]) == (1, 0, 2)
        assert by_company["华信科技有限公司"][0]["data"]["contact"] == "旧"
    elif strategy == "update":
        assert (counts["created"], counts["updated"], counts["skipped"]) == (1, 1, 1)
        assert by_company["华信科技有限公司"][0]["data"]["contact"] == "王伟"
    else:
        assert (counts["created"], counts["updated"], counts["skipped"]) == (3, 0, 0)
        assert len(by_company["华信科技有限公司"]) == 2
    undone = api.ok(api.post(f"/imports/{body['id']}/undo"))
    assert undone["state"] == "undoing"
    jobs.run_pending(rt)
    undone = api.ok(api.get(f"/imports/{body['id']}"))
    assert undone["state"] == "undone" and undone["undone_at"]
    (left,) = records(api, form["id"])
    assert left["id"] == old_id and left["data"]["contact"] == "旧"
    actions = audit_actions(rt, form["id"])
    assert actions.count("import") == 1 and actions.count("import_undo") == 1
    assert actions.count("record_create") == 1 + counts["created"]


def audit_actions(rt: Runtime, form_id: int) -> list[str]:
    log = schema.audit_log
    with rt.db.read() as conn:
        return list(
            conn.execute(
                sa.select(log.c.action).where(log.c.form_id == form_id).order_by(log.c.seq)
            ).scalars()
        )


def import_rows(rt: Runtime, import_id: int) -> list[Any]:
    t = schema.import_rows
    with rt.db.read() as conn:
        return list(
            conn.execute(sa.select(t).where(t.c.import_id == import_id).order_by(t.c.row_no)).all()
        )


def many_rows(n: int) -> bytes:
    header = ["公司名称", "电话", "联系人"]
    return xlsx_openpyxl(
        [header] + [[f"公司{i:04d}", f"1380000{i:04d}", f"人{i}"] for i in range(n)]
    )


def one_batch(rt: Runtime) -> None:
    """Claim the queued job and run just one of its batches."""
    jobs._load_handlers()
    job = rt.db.write(jobs._claim)
    assert job is not None
    rt.db.write(lambda conn: jobs._batch(rt, conn, job, jobs.HANDLERS[job.kind]))


def test_cancel_keeps_the_committed_batches_which_can_be_undone(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    rt.settings.import_batch = 10
    body = api.ok(upload(api, form["id"], many_rows(35)), 201)
    started = api.ok(api.post(f"/imports/{body['id']}/start"))
    assert started["state"] == "queued" and started["job"]["total"] == 35
    one_batch(rt)
    running = api.ok(api.get(f"/imports/{body['id']}"))
    assert running["state"] == "running" and running["counts"]["created"] == 10
    assert running["job"]["done"] == 10
    assert api.post(f"/imports/{body['id']}/undo").status_code == 409  # still running
    cancelled = api.ok(api.post(f"/imports/{body['id']}/cancel"))
    assert cancelled["state"] == "cancelled"
    jobs.run_pending(rt)
    after = api.ok(api.get(f"/imports/{body['id']}"))
    assert after["state"] == "cancelled" and after["counts"]["created"] == 10
    assert api.list(form["id"], limit=1)["total"] == 10
    assert len(import_rows(rt, body["id"])) == 10
    api.ok(api.post(f"/imports/{body['id']}/undo"))
    jobs.run_pending(rt)
    assert api.list(form["id"], limit=1)["total"] == 0


def test_a_batch_that_fails_midway_rolls_back_whole_and_the_job_resumes(
    api: Api, rt: Runtime, form: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from qiao.records import service

    rt.settings.import_batch = 10
    body = api.ok(upload(api, form["id"], many_rows(30)), 201)
    api.ok(api.post(f"/imports/{body['id']}/start"))
    one_batch(rt)
    real = service.create_in

    def broken(conn: Any, *args: Any, **kw: Any) -> list[int]:
        real(conn, *args, **kw)  # the records are written ... then the batch dies
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "create_in", broken)
    with pytest.raises(RuntimeError):
        rt.db.write(lambda conn: _run_next(rt, conn))
    assert api.list(form["id"], limit=1)["total"] == 10
    assert len(import_rows(rt, body["id"])) == 10
    monkeypatch.setattr(service, "create_in", real)
    _expire_leases(rt)
    jobs.run_pending(rt)
    done = api.ok(api.get(f"/imports/{body['id']}"))
    assert done["state"] == "done" and done["counts"]["created"] == 30
    rows = import_rows(rt, body["id"])
    assert [r.row_no for r in rows] == list(range(2, 32))
    assert len({r.record_id for r in rows}) == 30
    assert api.list(form["id"], limit=1)["total"] == 30


def _run_next(rt: Runtime, conn: Any) -> None:
    job_row = conn.execute(sa.select(schema.jobs).where(schema.jobs.c.state == "running")).one()
    job = jobs.Job(
        job_row.id,
        job_row.kind,
        dict(job_row.payload),
        job_row.cursor,
        job_row.total,
        job_row.done,
        job_row.attempts,
    )
    jobs._batch(rt, conn, job, jobs.HANDLERS[job.kind])


def _expire_leases(rt: Runtime) -> None:
    from datetime import timedelta

    from qiao.context import utcnow

    rt.db.write(
        lambda conn: conn.execute(
            sa.update(schema.jobs)
            .where(schema.jobs.c.state == "running")
            .values(locked_until=utcnow() - timedelta(minutes=1))
        )
    )


def test_rows_create_in_refuses_fail_alone(api: Api, rt: Runtime) -> None:
    fields = [
        {"key": "company", "label": "公司名称", "type": "text"},
        {"key": "phone", "label": "电话", "type": "phone", "unique": True},
    ]
    form = api.make_form(fields)
    body = api.ok(upload(api, form["id"], many_rows(5)), 201)
    assert body["summary"]["create"] == 5
    # taken after the analysis: only the job's own checks see it
    api.create(form["id"], {"company": "先到", "phone": "13800000002"})
    done = start_and_run(api, rt, body["id"])
    assert done["counts"]["created"] == 4 and done["counts"]["failed"] == 1
    failed = [r for r in import_rows(rt, body["id"]) if r.action == "failed"]
    assert [r.row_no for r in failed] == [4]
    assert failed[0].error[0]["field"] == "phone" and failed[0].error[0]["code"] == "unique"
    report = openpyxl.load_workbook(
        io.BytesIO(api.get(f"/imports/{body['id']}/report.xlsx").content)
    )
    rows = list(report.active.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][1] == "公司0002" and "电话" in rows[1][0]


def test_permissions(api: Api, rt: Runtime, make_user: Any, form: dict[str, Any]) -> None:
    groups = api.ok(api.get(f"/forms/{form['id']}/permission-groups"))["items"]
    gid = groups[0]["id"]
    api.ok(
        api.patch(f"/permission-groups/{gid}", {"operations": ["view", "create"], "scope": "own"})
    )
    bob = make_user("bob")
    content = xlsx_openpyxl([["公司名称", "电话"], ["华信科技", "13800138000"]])
    refused = upload(bob, form["id"], content)
    assert refused.status_code == 403
    api.ok(
        api.patch(
            f"/permission-groups/{gid}",
            {"operations": ["view", "create", "edit", "delete", "import"], "scope": "own"},
        )
    )
    # the admin's record with the same phone is out of bob's scope: not a duplicate
    api.create(form["id"], {"company": "华信科技", "phone": "13800138000"})
    mine = bob.ok(upload(bob, form["id"], content), 201)
    mine = bob.ok(bob.patch(f"/imports/{mine['id']}", {"options": {"dedupe_keys": ["phone"]}}))
    assert mine["summary"]["duplicates_existing"] == 0 and mine["summary"]["create"] == 1
    # an import is its creator's (and the form managers'): carol does not see it
    carol = make_user("carol")
    assert carol.get(f"/imports/{mine['id']}").status_code == 404
    assert carol.post(f"/imports/{mine['id']}/start").status_code == 404
    assert api.ok(api.get(f"/imports/{mine['id']}"))["id"] == mine["id"]
    assert [i["id"] for i in carol.ok(carol.get(f"/forms/{form['id']}/imports"))["items"]] == []
    # adding an option is a change of the form: it needs "manage"
    leveled = xlsx_openpyxl([["公司名称", "客户等级"], ["鼎盛电子", "VIP"]])
    other = bob.ok(upload(bob, form["id"], leveled), 201)
    assert other["summary"]["unknown_options"] == {"level": ["VIP"]}
    add = {"option_map": {"level": {"VIP": "__add__"}}}
    other = bob.ok(bob.patch(f"/imports/{other['id']}", {"options": add}))
    assert other["summary"]["create"] == 1
    assert bob.post(f"/imports/{other['id']}/start").status_code == 403
    to_a = {"option_map": {"level": {"VIP": "A类"}}}
    bob.ok(bob.patch(f"/imports/{other['id']}", {"options": to_a}))
    assert bob.ok(bob.post(f"/imports/{other['id']}/start"))["state"] == "queued"
    jobs.run_pending(rt)
    assert bob.ok(bob.get(f"/imports/{other['id']}"))["counts"]["created"] == 1


def test_saved_mapping_is_proposed_for_the_next_file(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    content = xlsx_openpyxl([["客户", "手机"], ["华信科技", "13800138000"]])
    body = api.ok(upload(api, form["id"], content), 201)
    assert body["mapping"] == {"0": None, "1": None}
    configure(
        api,
        body["id"],
        mapping={"0": "company", "1": "phone"},
        options={"save_mapping_as": "销售表"},
    )
    start_and_run(api, rt, body["id"])
    saved = api.ok(api.get(f"/forms/{form['id']}/import-mappings"))["items"]
    assert [s["name"] for s in saved] == ["销售表"]
    again = api.ok(upload(api, form["id"], content), 201)
    assert again["mapping"] == {"0": "company", "1": "phone"}
    assert again["saved_mappings"][0]["mapping"] == {"0": "company", "1": "phone"}
    assert api.delete(f"/import-mappings/{saved[0]['id']}").status_code == 204
    assert api.ok(api.get(f"/forms/{form['id']}/import-mappings"))["items"] == []


def test_bad_configuration_is_refused_with_named_details(api: Api, form: dict[str, Any]) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    response = api.patch(
        f"/imports/{body['id']}",
        {"mapping": {"0": "company", "1": "company", "9": "phone", "2": "nope"}},
    )
    assert response.status_code == 400
    fields = {d["field"]: d["code"] for d in response.json()["error"]["details"]}
    assert fields == {
        "mapping.1": "import_field_twice",
        "mapping.9": "import_column_unknown",
        "mapping.2": "import_field_unknown",
    }
    response = api.patch(f"/imports/{body['id']}", {"options": {"strategy": "merge"}})
    assert response.status_code == 400
    assert api.get(f"/imports/{body['id']}/preview", params={"only": "x"}).status_code == 400
    too_big = api.post(f"/forms/{form['id']}/imports", files={"file": ("x.csv", b"", "text/csv")})
    assert too_big.status_code == 400


def _worker(rt: Runtime, *args: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "QIAO_DATA_DIR": str(rt.settings.data_dir),
        "QIAO_DATABASE_URL": rt.settings.resolved_database_url,
        "QIAO_SECRET_KEY": "test-secret",
        "QIAO_IMPORT_BATCH": "10",
    }
    qiao = Path(sys.executable).parent / "qiao"
    return subprocess.Popen(
        [str(qiao), "worker", *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _created(rt: Runtime, import_id: int) -> int:
    with rt.db.read() as conn:
        return int(
            conn.execute(
                sa.select(schema.imports.c.created).where(schema.imports.c.id == import_id)
            ).scalar_one()
        )


def test_killing_the_worker_midway_then_restarting_imports_each_row_exactly_once(
    api: Api, rt: Runtime, form: dict[str, Any]
) -> None:
    total = 300
    body = api.ok(upload(api, form["id"], many_rows(total)), 201)
    api.ok(api.post(f"/imports/{body['id']}/start"))
    worker = _worker(rt)
    try:
        deadline = time.monotonic() + 120
        while _created(rt, body["id"]) < 30:  # a few batches of 10 committed
            assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
            assert time.monotonic() < deadline
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
    midway = api.ok(api.get(f"/imports/{body['id']}"))
    assert midway["state"] == "running"
    assert 30 <= midway["counts"]["created"] < total
    assert api.list(form["id"], limit=1)["total"] == midway["counts"]["created"]
    _expire_leases(rt)  # the dead worker's lease ran out
    again = _worker(rt, "--once")
    assert again.wait(timeout=600) == 0
    done = api.ok(api.get(f"/imports/{body['id']}"))
    assert done["state"] == "done"
    assert done["counts"] == {
        "total": total,
        "created": total,
        "updated": 0,
        "skipped": 0,
        "failed": 0,
    }
    rows = import_rows(rt, body["id"])
    assert [r.row_no for r in rows] == list(range(2, total + 2))
    assert len({r.record_id for r in rows}) == total
    with rt.db.read() as conn:
        meta = rt.form(conn, form["id"])
        column = meta.table.c[meta.by_key["company"].column_name]
        companies = sorted(conn.execute(sa.select(column)).scalars())
    assert companies == [f"公司{i:04d}" for i in range(total)]


def test_member_columns_match_by_name_and_every_unknown_tag_is_listed(
    api: Api, rt: Runtime
) -> None:
    from qiao.org import users

    rt.db.write(lambda c: users.create_user(c, "zhaolei", "user-pass-1", display_name="赵磊"))
    form = api.make_form(
        [
            {"key": "company", "label": "公司名称", "type": "text"},
            {"key": "sales", "label": "销售", "type": "user"},
            FIELDS[-1],
        ]
    )
    sheet = [
        ["公司名称", "销售", "标签"],
        ["华信科技", "赵磊", "重点、新品、展会"],
        ["恒泰贸易", "无此人", "老客户"],
    ]
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(sheet)), 201)
    assert body["summary"]["unknown_options"] == {"tags": ["新品", "展会"]}
    rows = api.ok(api.get(f"/imports/{body['id']}/preview"))["items"]
    assert rows[0]["cells"]["sales"]["issue"] is None
    assert rows[1]["cells"]["sales"]["issue"]
    assert [e["field"] for e in rows[1]["errors"]] == ["sales"]


def storage_key(rt: Runtime, import_id: int) -> str:
    t = schema.imports
    with rt.db.read() as conn:
        return str(conn.execute(sa.select(t.c.storage_key).where(t.c.id == import_id)).scalar_one())


def test_a_draft_is_deleted_with_its_file(api: Api, rt: Runtime, form: dict[str, Any]) -> None:
    body = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    key = storage_key(rt, body["id"])
    assert rt.files.exists(key)
    api.ok(api.get(f"/imports/{body['id']}/preview"))  # an analysis in the cache

    def cached() -> list[Any]:
        return [k for k in import_plan._CACHE if k[1] in (body["id"], key)]

    assert {k[0] for k in cached()} == {"book", "table", "plan"}
    assert api.delete(f"/imports/{body['id']}").status_code == 204
    assert cached() == []  # the plan, the read workbook and its table
    assert api.get(f"/imports/{body['id']}").status_code == 404
    assert api.ok(api.get(f"/forms/{form['id']}/imports"))["items"] == []
    assert not rt.files.exists(key)
    assert api.delete(f"/imports/{body['id']}").status_code == 404
    assert audit_actions(rt, form["id"]).count("import_delete") == 1
    # a file already gone from the store does not fail the delete
    other = api.ok(upload(api, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    rt.files.delete(storage_key(rt, other["id"]))
    assert api.delete(f"/imports/{other['id']}").status_code == 204
    assert api.get(f"/imports/{other['id']}").status_code == 404


def test_only_drafts_are_deleted(api: Api, rt: Runtime, form: dict[str, Any]) -> None:
    rt.settings.import_batch = 10
    running = api.ok(upload(api, form["id"], many_rows(25)), 201)
    api.ok(api.post(f"/imports/{running['id']}/start"))
    one_batch(rt)
    assert api.ok(api.get(f"/imports/{running['id']}"))["state"] == "running"
    refused = api.delete(f"/imports/{running['id']}")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "import_not_deletable"
    assert rt.files.exists(storage_key(rt, running["id"]))
    done = start_and_run(api, rt, api.ok(upload(api, form["id"], many_rows(5)), 201)["id"])
    assert done["state"] == "done"
    assert api.delete(f"/imports/{done['id']}").status_code == 409
    assert rt.files.exists(storage_key(rt, done["id"]))
    history = api.ok(api.get(f"/forms/{form['id']}/imports"))["items"]
    assert [i["id"] for i in history] == [done["id"], running["id"]]


def test_a_draft_is_deleted_only_by_who_sees_it(
    api: Api, rt: Runtime, make_user: Any, form: dict[str, Any]
) -> None:
    groups = api.ok(api.get(f"/forms/{form['id']}/permission-groups"))["items"]
    api.ok(
        api.patch(
            f"/permission-groups/{groups[0]['id']}",
            {"operations": ["view", "create", "import"], "scope": "own"},
        )
    )
    bob, carol = make_user("bob"), make_user("carol")
    mine = bob.ok(upload(bob, form["id"], xlsx_openpyxl(SIMPLE)), 201)
    assert carol.get(f"/imports/{mine['id']}").status_code == 404
    assert carol.delete(f"/imports/{mine['id']}").status_code == 404
    assert bob.ok(bob.get(f"/imports/{mine['id']}"))["state"] == "draft"
    # the form's manager sees everyone's imports and may delete them
    assert api.delete(f"/imports/{mine['id']}").status_code == 204
    assert bob.get(f"/imports/{mine['id']}").status_code == 404


def test_an_abandoned_sheet_analysis_is_deleted_with_its_file(
    api: Api, rt: Runtime, make_user: Any
) -> None:
    app_id = api.make_app()["id"]
    files = {"file": ("客户.xlsx", xlsx_openpyxl(SIMPLE), XLSX)}
    body = api.ok(api.post(f"/apps/{app_id}/imports/analyze", files=files))
    key = storage_key(rt, body["id"])
    assert make_user("dave").delete(f"/imports/{body['id']}").status_code == 404
    assert api.delete(f"/imports/{body['id']}").status_code == 204
    assert not rt.files.exists(key)
    assert api.get(f"/imports/{body['id']}").status_code == 404
