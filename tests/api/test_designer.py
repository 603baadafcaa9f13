"""The form designer: drafts, publishing a whole form in one transaction, the layout."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from qiao.db import schema
from qiao.forms.catalog import read_version
from qiao.runtime import Runtime
from tests.conftest import Api


def details(response: Any) -> dict[str, str]:
    return {d["field"]: d["code"] for d in response.json()["error"]["details"]}


def field_by_key(form: dict[str, Any], key: str) -> dict[str, Any]:
    return next(f for f in form["fields"] if f["key"] == key)


def base_form(api: Api) -> dict[str, Any]:
    return api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "amount", "label": "金额", "type": "text"},
            {"key": "note", "label": "备注", "type": "textarea"},
        ]
    )


def test_draft_save_read_discard(api: Api, make_user: Any) -> None:
    form = base_form(api)
    fid = form["id"]
    saved = api.ok(api.put(f"/forms/{fid}/draft", {"draft": {"fields": [1, 2], "x": "草稿"}}))
    assert saved["data"] == {"fields": [1, 2], "x": "草稿"}
    assert saved["saved_by"] and saved["saved_at"]
    got = api.ok(api.get(f"/forms/{fid}"))
    assert got["settings"]["draft"]["data"]["x"] == "草稿"
    user = make_user("bob")
    assert user.put(f"/forms/{fid}/draft", {"draft": {}}).status_code == 403
    too_big = api.put(f"/forms/{fid}/draft", {"draft": {"x": "a" * 1_000_001}})
    assert too_big.status_code == 400
    assert details(too_big) == {"draft": "draft_too_large"}
    api.ok(api.delete(f"/forms/{fid}/draft"), 204)
    assert "draft" not in api.ok(api.get(f"/forms/{fid}"))["settings"]


def test_layout_covers_every_live_field(api: Api) -> None:
    form = base_form(api)
    ids = [f["id"] for f in form["fields"]]
    assert form["settings"]["layout"] == [
        {"items": [{"kind": "field", "field_id": i, "span": 24}]} for i in ids
    ]
    added = api.ok(api.post(f"/forms/{form['id']}/fields", {"label": "新", "type": "text"}), 201)
    api.ok(api.delete(f"/forms/{form['id']}/fields/{ids[0]}"), 204)
    layout = api.ok(api.get(f"/forms/{form['id']}"))["settings"]["layout"]
    assert [r["items"][0]["field_id"] for r in layout] == [ids[1], ids[2], added["id"]]


def test_publish_applies_everything(api: Api) -> None:
    form = base_form(api)
    fid = form["id"]
    name, amount, note = (field_by_key(form, k) for k in ("name", "amount", "note"))
    rid = api.create(fid, {"name": "甲", "amount": "12.5", "note": "n"})["id"]
    api.ok(api.put(f"/forms/{fid}/draft", {"draft": {"wip": True}}))
    body = {
        "fields": [
            {"id": amount["id"], "ref": "a", "key": "amount", "label": "金额", "type": "number"},
            {"ref": "new", "key": "code", "label": "编号", "type": "autonumber"},
            {"id": name["id"], "ref": "n", "key": "title", "label": "客户名称", "type": "text"},
        ],
        "layout": [
            {"items": [{"kind": "section", "title": "基本信息", "description": ""}]},
            {
                "items": [
                    {"kind": "field", "ref": "n", "span": 12},
                    {"kind": "field", "ref": "a", "span": 12},
                ]
            },
            {"items": [{"kind": "divider"}]},
            {"items": [{"kind": "text", "content": "说明"}]},
        ],
        "title_field": "title",
    }
    out = api.ok(api.post(f"/forms/{fid}/publish", body))
    assert [f["key"] for f in out["fields"]] == ["amount", "code", "title"]
    assert field_by_key(out, "amount")["type"] == "number"
    assert field_by_key(out, "title")["label"] == "客户名称"
    code_id = field_by_key(out, "code")["id"]
    settings = out["settings"]
    assert "draft" not in settings
    assert settings["title_field"] == "title"
    assert settings["layout"][1]["items"] == [
        {"kind": "field", "field_id": name["id"], "span": 12},
        {"kind": "field", "field_id": amount["id"], "span": 12},
    ]
    # the new field was not placed: it gets its own row
    assert settings["layout"][-1] == {"items": [{"kind": "field", "field_id": code_id, "span": 24}]}
    record = api.ok(api.get(f"/forms/{fid}/records/{rid}"))
    assert record["data"]["amount"] in (12.5, "12.5")
    assert record["data"]["title"] == "甲"
    assert record["data"]["code"]
    assert "note" not in record["data"]
    # the removed field is restorable
    full = api.ok(api.get(f"/forms/{fid}", params={"include_deleted_fields": True}))
    assert any(f["id"] == note["id"] and f.get("deleted_at") for f in full["fields"])
    api.ok(api.post(f"/forms/{fid}/fields/{note['id']}/restore"))


def test_publish_is_all_or_nothing(api: Api) -> None:
    form = base_form(api)
    fid = form["id"]
    name = field_by_key(form, "name")
    amount = field_by_key(form, "amount")
    api.create(fid, {"name": "甲", "amount": "not a number"})
    body = {
        "fields": [
            {"id": name["id"], "key": "name", "label": "改名", "type": "text"},
            {"key": "extra", "label": "额外", "type": "text"},
            {"id": amount["id"], "key": "amount", "label": "金额", "type": "number"},
        ],
        "layout": [],
    }
    refused = api.post(f"/forms/{fid}/publish", body)
    assert refused.status_code == 409
    assert details(refused) == {"fields[2].accept_loss": "type_change_loses_data"}
    after = api.ok(api.get(f"/forms/{fid}"))
    assert [f["key"] for f in after["fields"]] == ["name", "amount", "note"]
    assert field_by_key(after, "name")["label"] == "名称"
    body["fields"][2]["accept_loss"] = True
    done = api.ok(api.post(f"/forms/{fid}/publish", body))
    assert [f["key"] for f in done["fields"]] == ["name", "extra", "amount"]


def test_publish_validation(api: Api, make_user: Any) -> None:
    form = base_form(api)
    fid = form["id"]
    name = field_by_key(form, "name")
    row = {"items": [{"kind": "field", "ref": "x", "span": 25}]}
    bad = api.post(f"/forms/{fid}/publish", {"fields": [], "layout": [row]})
    assert bad.status_code == 422
    layout = [
        {"items": [{"kind": "field", "ref": "x", "span": 16}, {"kind": "field", "ref": "y"}]},
        {"items": [{"kind": "field", "ref": "x"}, {"kind": "divider"}]},
    ]
    fields = [
        {"id": name["id"], "ref": "x", "label": "名称", "type": "text"},
        {"ref": "x", "label": "B", "type": "text"},
        {"id": 999999, "label": "C", "type": "text"},
    ]
    bad = api.post(f"/forms/{fid}/publish", {"fields": fields, "layout": layout})
    assert bad.status_code == 422
    assert details(bad) == {
        "layout[0].items": "layout_row_too_wide",
        "layout[0].items[1].ref": "layout_unknown_ref",
        "layout[1].items": "layout_full_row",
        "layout[1].items[0].ref": "layout_field_repeated",
    }
    fields[1]["ref"] = "y"
    bad = api.post(f"/forms/{fid}/publish", {"fields": fields, "layout": []})
    assert details(bad) == {"fields[2].id": "field_not_found"}
    fields = [{"label": "B", "type": "nope"}, {"key": "1x", "label": "C", "type": "text"}]
    bad = api.post(f"/forms/{fid}/publish", {"fields": fields, "layout": []})
    assert details(bad) == {"fields[0].type": "field_type_unknown"}
    bad = api.post(
        f"/forms/{fid}/publish",
        {"fields": [{"id": name["id"], "label": "A", "type": "text"}], "title_field": "nope"},
    )
    assert details(bad) == {"title_field": "title_field_unknown"}
    assert make_user("eve").post(f"/forms/{fid}/publish", {"fields": []}).status_code == 403
    assert len(api.ok(api.get(f"/forms/{fid}"))["fields"]) == 3


def test_patch_form_settings_merge_and_title_field(api: Api) -> None:
    form = base_form(api)
    fid = form["id"]
    api.ok(api.put(f"/forms/{fid}/draft", {"draft": {"a": 1}}))
    out = api.ok(api.patch(f"/forms/{fid}", {"settings": {"title_field": "note"}}))
    assert out["settings"]["title_field"] == "note"
    assert out["settings"]["draft"]["data"] == {"a": 1}
    bad = api.patch(f"/forms/{fid}", {"settings": {"title_field": "zzz"}})
    assert details(bad) == {"settings.title_field": "title_field_unknown"}


def schema_state(rt: Runtime, form_id: int) -> tuple[Any, ...]:
    """The form row, its field rows and the physical columns of its tables."""
    with rt.db.read() as conn:
        form = conn.execute(sa.select(schema.forms).where(schema.forms.c.id == form_id)).one()
        fields = conn.execute(
            sa.select(schema.fields)
            .where(schema.fields.c.form_id == form_id)
            .order_by(schema.fields.c.id)
        ).all()
        inspector = sa.inspect(conn)
        tables = sorted(n for n in inspector.get_table_names() if n.startswith(("qf_", "qj_")))
        columns = {n: sorted(c["name"] for c in inspector.get_columns(n)) for n in tables}
        indexes = {n: sorted(i["name"] or "" for i in inspector.get_indexes(n)) for n in tables}
        version = read_version(conn)
    return tuple(map(repr, form)), [tuple(map(repr, f)) for f in fields], columns, indexes, version


def test_publish_failing_on_the_last_field_changes_nothing(api: Api, rt: Runtime) -> None:
    form = api.make_form(
        [
            {"key": "name", "label": "名称", "type": "text", "indexed": True},
            {"key": "amount", "label": "金额", "type": "text"},
            {"key": "note", "label": "备注", "type": "textarea"},
            {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["a"]}},
        ]
    )
    fid = form["id"]
    name, amount = field_by_key(form, "name"), field_by_key(form, "amount")
    api.create(fid, {"name": "甲", "amount": "12", "note": "n", "tags": ["a"]})
    before = schema_state(rt, fid)
    body = {
        "fields": [
            # changed: renamed, relabelled, unindexed, retyped with its data converted
            {"id": name["id"], "key": "title", "label": "客户", "type": "text"},
            {"id": amount["id"], "key": "amount", "label": "金额", "type": "number"},
            # added: a column, a junction table, a back-filled serial number
            {"key": "extra", "label": "额外", "type": "text", "unique": True, "indexed": True},
            {
                "key": "labels",
                "label": "多选",
                "type": "multiselect",
                "settings": {"choices": ["x"]},
            },
            {"key": "code", "label": "编号", "type": "autonumber"},
            # ... note and tags are deleted; the last field is invalid
            {"key": "stage", "label": "阶段", "type": "select", "settings": {"choices": 5}},
        ],
        "layout": [],
    }
    refused = api.post(f"/forms/{fid}/publish", body)
    assert refused.status_code == 422, refused.text
    assert list(details(refused)) == ["fields[5].settings.choices"]
    assert schema_state(rt, fid) == before
    after = api.ok(api.get(f"/forms/{fid}"))
    assert [f["key"] for f in after["fields"]] == ["name", "amount", "note", "tags"]
    record = api.list(fid)["items"][0]["data"]
    assert record == {"name": "甲", "amount": "12", "note": "n", "tags": ["a"]}


def test_publish_bumps_the_schema_version_once(api: Api, rt: Runtime) -> None:
    form = base_form(api)
    fid = form["id"]
    name, amount = field_by_key(form, "name"), field_by_key(form, "amount")
    with rt.db.read() as conn:
        version = read_version(conn)
    body = {
        "fields": [
            {"id": amount["id"], "ref": "a", "key": "amt", "label": "金额", "type": "number"},
            {"id": name["id"], "ref": "n", "key": "name", "label": "名", "type": "text"},
            {"ref": "x", "key": "extra", "label": "额外", "type": "text"},
        ],
        "layout": [{"items": [{"kind": "field", "ref": "x", "span": 12}]}],
        "title_field": "name",
    }
    api.ok(api.post(f"/forms/{fid}/publish", body))
    with rt.db.read() as conn:
        assert read_version(conn) == version + 1


def test_publish_swaps_and_passes_on_keys(api: Api) -> None:
    form = base_form(api)
    fid = form["id"]
    name, amount = field_by_key(form, "name"), field_by_key(form, "amount")
    rid = api.create(fid, {"name": "甲", "amount": "12", "note": "n"})["id"]
    body = {
        "fields": [
            {"id": name["id"], "key": "amount", "label": "名称", "type": "text"},
            {"id": amount["id"], "key": "name", "label": "金额", "type": "number"},
            # the deleted note's key goes to a new field; note's old value stays with note
            {"key": "note", "label": "新备注", "type": "text"},
        ],
    }
    out = api.ok(api.post(f"/forms/{fid}/publish", body))
    assert {f["key"]: f["id"] for f in out["fields"]} == {
        "amount": name["id"],
        "name": amount["id"],
        "note": next(f["id"] for f in out["fields"] if f["label"] == "新备注"),
    }
    assert api.ok(api.get(f"/forms/{fid}/records/{rid}"))["data"] == {
        "amount": "甲",
        "name": 12,
        "note": None,
    }
    full = api.ok(api.get(f"/forms/{fid}", params={"include_deleted_fields": True}))
    assert not any(f["key"].startswith("_") for f in full["fields"])
    # two fields may still not end up with one key
    clash = [
        {"id": name["id"], "key": "same", "label": "A", "type": "text"},
        {"id": amount["id"], "key": "same", "label": "B", "type": "number"},
    ]
    refused = api.post(f"/forms/{fid}/publish", {"fields": clash})
    assert details(refused) == {"fields[1].key": "field_key_taken"}


def test_form_settings_of_the_designer_are_not_patched(api: Api) -> None:
    form = base_form(api)
    fid = form["id"]
    for key, value in [("layout", "zzz"), ("draft", {"data": 1}), ("group", ["x"])]:
        bad = api.patch(f"/forms/{fid}", {"settings": {key: value}})
        assert bad.status_code == 422, bad.text
        assert details(bad) == {f"settings.{key}": "form_setting_managed"}
        created = api.post(
            f"/apps/{form['app_id']}/forms", {"name": "另一个", "settings": {key: value}}
        )
        assert details(created) == {f"settings.{key}": "form_setting_managed"}
    # the form still reads, and other settings still merge
    out = api.ok(api.patch(f"/forms/{fid}", {"settings": {"color": "red"}}))
    assert out["settings"]["color"] == "red"
    assert len(out["settings"]["layout"]) == 3
