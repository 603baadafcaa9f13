"""Behaviours a user notices at the edges of field types: filters that reach values the
field would no longer accept as input, options that come back, unlinking, back-fills."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import Ctx
from qiao.errors import FieldValueError
from qiao.forms.fields import registry
from qiao.forms.model import FieldMeta
from qiao.records import service as records
from qiao.runtime import Runtime
from tests.conftest import Api


def _ids(page: dict[str, Any]) -> set[int]:
    return {item["id"] for item in page["items"]}


def test_number_filter_ignores_input_limits(api: Api) -> None:
    form = api.make_form(
        [
            {
                "key": "n",
                "label": "数量",
                "type": "number",
                "settings": {"min": 0, "max": 100, "precision": 0},
            }
        ]
    )
    low = api.create(form["id"], {"n": 3})
    api.create(form["id"], {"n": 50})
    page = api.list(form["id"], filter='{"field":"n","op":"lt","value":3.5}')
    assert _ids(page) == {low["id"]}
    page = api.list(form["id"], filter='{"field":"n","op":"gt","value":-1}')
    assert page["total"] == 2


def test_archived_option_still_filterable_and_comes_back(api: Api) -> None:
    form = api.make_form(
        [{"key": "s", "label": "阶段", "type": "select", "settings": {"choices": ["A", "B"]}}]
    )
    fid = form["id"]
    field = form["fields"][0]
    old = api.create(fid, {"s": "A"})
    api.ok(api.patch(f"/forms/{fid}/fields/{field['id']}", {"settings": {"choices": ["B"]}}))
    page = api.list(fid, filter='{"field":"s","op":"eq","value":"A"}')
    assert _ids(page) == {old["id"]}
    bad = api.post(f"/forms/{fid}/records", {"data": {"s": "A"}})
    assert bad.status_code == 422
    again = api.ok(
        api.patch(f"/forms/{fid}/fields/{field['id']}", {"settings": {"choices": ["B", "A"]}})
    )
    labels = [c["label"] for c in again["settings"]["choices"]]
    assert labels.count("A") == 1  # the archived option is revived, not duplicated
    assert api.create(fid, {"s": "A"})["data"]["s"] == "A"
    assert api.ok(api.get(f"/forms/{fid}/records/{old['id']}"))["data"]["s"] == "A"


@pytest.mark.parametrize("text", ["1,2,3", "12,34", "1,2345"])
def test_misplaced_thousands_separators_are_refused(text: str) -> None:
    settings = registry.get("number").settings_model.model_validate({})
    fm = FieldMeta(1, 1, "n", "数量", "number", settings, "c_1")
    with pytest.raises(FieldValueError, match="not_number"):
        fm.ftype.to_storage(fm, text, Ctx(user=None))
    assert fm.ftype.to_storage(fm, "1,234,567.5", Ctx(user=None)) == 1_234_567_500_000


def test_nullify_counts_as_a_change_of_the_linking_record(api: Api) -> None:
    app = api.make_app()
    target = api.make_form([{"key": "name", "label": "名称", "type": "text"}], app_id=app["id"])
    source = api.make_form(
        [
            {
                "key": "one",
                "label": "客户",
                "type": "relation",
                "settings": {"target_form_id": target["id"], "on_delete": "nullify"},
            },
            {
                "key": "many",
                "label": "客户们",
                "type": "relation",
                "settings": {
                    "target_form_id": target["id"],
                    "multiple": True,
                    "on_delete": "nullify",
                },
            },
        ],
        name="联系人",
        app_id=app["id"],
    )
    t = api.create(target["id"], {"name": "x"})
    s = api.create(source["id"], {"one": t["id"], "many": [t["id"]]})
    api.ok(api.delete(f"/forms/{target['id']}/records/{t['id']}"), 204)
    after = api.ok(api.get(f"/forms/{source['id']}/records/{s['id']}"))
    assert after["data"] == {"one": None, "many": []}
    assert after["version"] > s["version"]
    assert after["updated_at"] >= s["updated_at"]


def test_autonumber_backfill_uses_each_record_creation_month(
    api: Api, rt: Runtime, ctx: Ctx
) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    fid = form["id"]
    for when in (datetime(2024, 1, 20, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC)):
        records.create_record(
            rt,
            Ctx(user=ctx.user, tz=ctx.tz, clock=lambda w=when: w),
            fid,
            {"name": when.isoformat()},
        )
    api.ok(
        api.post(
            f"/forms/{fid}/fields",
            {
                "key": "no",
                "label": "编号",
                "type": "autonumber",
                "settings": {"pattern": "{YYYY}{MM}-{000}"},
            },
        ),
        201,
    )
    numbers = [r["data"]["no"] for r in api.list(fid, sort="id")["items"]]
    assert numbers == ["202401-001", "202403-001"]
    with rt.db.read() as conn:
        count = conn.execute(sa.text("SELECT count(*) FROM qiao_autonumber_counters")).scalar()
    assert count == 2


def test_every_problem_of_a_create_is_reported_at_once(api: Api) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text", "unique": True},
            {"key": "phone", "label": "电话", "type": "phone"},
        ]
    )
    api.create(form["id"], {"name": "华为"})
    bad = api.post(f"/forms/{form['id']}/records", {"data": {"name": "华为", "phone": "123"}})
    assert bad.status_code == 422
    codes = {(d["field"], d["code"]) for d in bad.json()["error"]["details"]}
    assert codes == {("name", "unique"), ("phone", "invalid_phone")}


def test_record_times_are_shown_in_the_organisation_zone(api: Api) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    record = api.create(form["id"], {"name": "x"})
    assert record["created_at"].endswith("+08:00")
    fields = api.ok(api.get(f"/forms/{form['id']}"))["fields"]
    assert "contains" in fields[0]["operators"] and fields[0]["sortable"] is True


def _index_names(rt: Runtime, form_id: int) -> set[str]:
    return {str(i["name"]) for i in sa.inspect(rt.db.engine).get_indexes(f"qf_{form_id}")}


def test_deleted_unique_field_stops_enforcing_and_restore_rechecks(api: Api, rt: Runtime) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "code", "label": "编码", "type": "text", "unique": True, "indexed": True},
        ]
    )
    fid, code = form["id"], form["fields"][1]
    first = api.create(fid, {"name": "a", "code": "X1"})
    before = _index_names(rt, fid)
    assert any(n.startswith("ux_") for n in before) and any(n.startswith("ix_qf") for n in before)
    api.ok(api.delete(f"/forms/{fid}/fields/{code['id']}"), 204)
    assert not any(code["id"] and n.endswith(f"_c_{code['id']}") for n in _index_names(rt, fid))
    # the record in the bin holds X1 in the hidden column; a restore must not collide on it
    api.ok(api.delete(f"/forms/{fid}/records/{first['id']}"), 204)
    api.ok(api.post(f"/forms/{fid}/records/{first['id']}/restore"))
    # restoring the field finds the values still unique and rebuilds both indexes
    api.ok(api.post(f"/forms/{fid}/fields/{code['id']}/restore"))
    assert _index_names(rt, fid) == before
    dup = api.post(f"/forms/{fid}/records", {"data": {"name": "b", "code": "X1"}})
    assert dup.status_code == 422


def test_restoring_a_unique_field_with_duplicates_is_refused(api: Api, rt: Runtime) -> None:
    form = api.make_form([{"key": "code", "label": "编码", "type": "text", "unique": True}])
    fid, code = form["id"], form["fields"][0]
    rec = api.create(fid, {"code": "X1"})
    api.ok(api.delete(f"/forms/{fid}/fields/{code['id']}"), 204)
    api.ok(api.post(f"/forms/{fid}/fields", {"key": "name", "label": "名称", "type": "text"}), 201)
    api.create(fid, {"name": "second"})
    with rt.db.engine.begin() as conn:  # a write no API allows: duplicates while hidden
        conn.execute(sa.text(f"UPDATE qf_{fid} SET c_{code['id']} = 'X1' WHERE id <> {rec['id']}"))
    bad = api.post(f"/forms/{fid}/fields/{code['id']}/restore")
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["code"] == "field_unique_has_duplicates"
    assert "code" not in {f["key"] for f in api.ok(api.get(f"/forms/{fid}"))["fields"]}


def test_restoring_a_live_form_is_a_conflict(api: Api) -> None:
    form = api.make_form([{"key": "name", "label": "名称", "type": "text"}])
    again = api.post(f"/forms/{form['id']}/restore", headers={"Accept-Language": "en"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "form_not_deleted"
