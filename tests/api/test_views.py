"""Saved views: kinds and their configs, shared and personal views, ordering."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

FIELDS = [
    {"key": "name", "label": "名称", "type": "text"},
    {"key": "amount", "label": "金额", "type": "money"},
    {"key": "stage", "label": "阶段", "type": "select", "settings": {"choices": ["初步", "成交"]}},
    {"key": "due", "label": "日期", "type": "date"},
]


def details(response: Any) -> dict[str, str]:
    return {d["field"]: d["code"] for d in response.json()["error"]["details"]}


def test_default_view_is_created_once(api: Api, make_user: Any) -> None:
    fid = api.make_form(FIELDS)["id"]
    bob = make_user("bob")
    first = bob.ok(bob.get(f"/forms/{fid}/views"))["items"]
    assert len(first) == 1
    view = first[0]
    assert view["kind"] == "table" and view["shared"] and view["id"]
    assert [c["key"] for c in view["config"]["columns"]] == ["name", "amount", "stage", "due"]
    assert api.ok(api.get(f"/forms/{fid}/views"))["items"] == first
    assert api.get("/forms/999999/views").status_code == 404


def test_kinds_validate_their_config(api: Api) -> None:
    fid = api.make_form(FIELDS)["id"]
    ok = {
        "table": {
            "columns": [{"key": "name", "width": 200, "frozen": True}, {"key": "id"}],
            "sort": "-amount,name",
            "filter": {"field": "amount", "op": "gte", "value": 10},
            "row_height": "medium",
        },
        "kanban": {"group_field": "stage", "card_fields": ["name", "amount"]},
        "calendar": {"date_field": "due", "title_field": "name"},
        "gallery": {"card_fields": ["name"], "sort": "name"},
    }
    for kind, config in ok.items():
        view = api.ok(
            api.post(
                f"/forms/{fid}/views",
                {"name": kind, "kind": kind, "config": config, "shared": True},
            ),
            201,
        )
        assert view["kind"] == kind and view["shared"]
        assert view["config"]["filter" if kind == "table" else next(iter(config))]
    cases: list[tuple[str, dict[str, Any], int, dict[str, str]]] = [
        ("kanban", {}, 422, {"config.group_field": "view_config_invalid"}),
        ("kanban", {"group_field": "name"}, 422, {"config.group_field": "view_field_wrong_type"}),
        ("calendar", {"date_field": "stage"}, 422, {"config.date_field": "view_field_wrong_type"}),
        (
            "table",
            {"columns": [{"key": "name"}, {"key": "nope"}]},
            422,
            {"config.columns[1].key": "view_field_unknown"},
        ),
        (
            "table",
            {"columns": [{"key": "name", "width": "x"}]},
            422,
            {"config.columns[0].width": "view_config_invalid"},
        ),
        ("gallery", {"sort": "nope"}, 400, {"config.sort": "invalid_sort"}),
        (
            "table",
            {"filter": {"and": [{"field": "zzz", "op": "eq", "value": 1}]}},
            400,
            {"config.filter.and[0].field": "filter_unknown_field"},
        ),
    ]
    for kind, config, status, expected in cases:
        bad = api.post(f"/forms/{fid}/views", {"name": "x", "kind": kind, "config": config})
        assert bad.status_code == status, (kind, config, bad.text)
        assert details(bad) == expected
    bad = api.post(f"/forms/{fid}/views", {"name": "x", "kind": "pivot"})
    assert details(bad) == {"kind": "view_kind_unknown"}


def test_personal_and_shared_views(api: Api, make_user: Any) -> None:
    fid = api.make_form(FIELDS)["id"]
    bob, eve = make_user("bob"), make_user("eve")
    default = api.ok(api.get(f"/forms/{fid}/views"))["items"][0]
    assert (
        bob.post(f"/forms/{fid}/views", {"name": "s", "kind": "table", "shared": True}).status_code
        == 403
    )
    mine = bob.ok(bob.post(f"/forms/{fid}/views", {"name": "我的", "kind": "table"}), 201)
    assert not mine["shared"] and mine["owner_id"]
    assert [v["id"] for v in bob.ok(bob.get(f"/forms/{fid}/views"))["items"]] == [
        default["id"],
        mine["id"],
    ]
    assert [v["id"] for v in eve.ok(eve.get(f"/forms/{fid}/views"))["items"]] == [default["id"]]
    assert eve.patch(f"/views/{mine['id']}", {"name": "x"}).status_code == 404
    assert eve.delete(f"/views/{mine['id']}").status_code == 404
    assert bob.patch(f"/views/{default['id']}", {"name": "x"}).status_code == 403
    renamed = bob.ok(
        bob.patch(f"/views/{mine['id']}", {"name": "改名", "config": {"sort": "-amount"}})
    )
    assert renamed["name"] == "改名" and renamed["config"] == {"sort": "-amount", "columns": []}
    assert bob.patch(f"/views/{mine['id']}", {"shared": True}).status_code == 403
    # bob orders his own views; they follow the shared ones
    other = bob.ok(bob.post(f"/forms/{fid}/views", {"name": "另一个", "kind": "table"}), 201)
    order = bob.ok(
        bob.put(f"/forms/{fid}/views/order", {"view_ids": [other["id"], mine["id"], default["id"]]})
    )
    assert [v["id"] for v in order["items"]] == [default["id"], other["id"], mine["id"]]
    bad = bob.put(f"/forms/{fid}/views/order", {"view_ids": [mine["id"]]})
    assert details(bad) == {"view_ids": "view_order_mismatch"}
    bob.ok(bob.delete(f"/views/{mine['id']}"), 204)
    assert bob.patch(f"/views/{mine['id']}", {"name": "x"}).status_code == 404


def test_admin_reorders_and_shares(api: Api) -> None:
    fid = api.make_form(FIELDS)["id"]
    default = api.ok(api.get(f"/forms/{fid}/views"))["items"][0]
    board = api.ok(
        api.post(
            f"/forms/{fid}/views",
            {"name": "看板", "kind": "kanban", "config": {"group_field": "stage"}},
        ),
        201,
    )
    shared = api.ok(api.patch(f"/views/{board['id']}", {"shared": True}))
    assert shared["shared"]
    ids = [board["id"], default["id"]]
    assert [
        v["id"] for v in api.ok(api.put(f"/forms/{fid}/views/order", {"view_ids": ids}))["items"]
    ] == ids
    bad = api.patch(f"/views/{board['id']}", {"kind": "calendar"})
    assert details(bad)["config.date_field"] == "view_config_invalid"
