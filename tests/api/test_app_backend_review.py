"""The web app's endpoints (designer, views, comments, titles, form order) under abuse:
malformed bodies never give a 500 nor write anything, ids out of range are a 4xx,
other users' personal views stay invisible, the hot reads cost a fixed number of
queries, and deleted forms take their views and comments with them."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from qiao.context import utcnow
from qiao.db import schema
from qiao.forms.purge import purge_expired
from qiao.runtime import Runtime
from tests.api.test_errors import no_500
from tests.conftest import Api, token_for

FIELDS: list[dict[str, Any]] = [
    {"key": "name", "label": "名称", "type": "text"},
    {"key": "stage", "label": "阶段", "type": "select", "settings": {"choices": ["初步", "成交"]}},
    {"key": "due", "label": "日期", "type": "date"},
    {"key": "tags", "label": "标签", "type": "multiselect", "settings": {"choices": ["a"]}},
]
PLATFORM = [schema.forms, schema.fields, schema.views, schema.comments, schema.settings]


def details(response: Any) -> dict[str, str]:
    return {d["field"]: d["code"] for d in response.json()["error"]["details"]}


def me(api: Api) -> int:
    return int(api.ok(api.get("/auth/me"))["user"]["id"])


def platform_rows(rt: Runtime) -> list[Any]:
    with rt.db.read() as conn:
        return [
            sorted(tuple(map(repr, r)) for r in conn.execute(sa.select(t)).all()) for t in PLATFORM
        ]


# ----- fuzz ------------------------------------------------------------------------------
class Junk:
    """Random JSON that is nearly right: the right keys with values of any shape."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def scalar(self) -> Any:
        return self.rng.choice(
            [None, True, 0, -1, 1, 2**63, 10**30, 1.5, "", "x", "²", "名称", "a" * 300, "-id"]
        )

    def value(self, depth: int = 0) -> Any:
        roll = self.rng.random()
        if depth < 2 and roll < 0.2:
            return [self.value(depth + 1) for _ in range(self.rng.randrange(3))]
        if depth < 2 and roll < 0.35:
            return {self.rng.choice(["kind", "ref", "key", "x"]): self.value(depth + 1)}
        return self.scalar()

    def maybe(self, good: Any) -> Any:
        return good if self.rng.random() < 0.6 else self.value()

    def body(self, shape: dict[str, Any]) -> Any:
        if self.rng.random() < 0.05:
            return self.value()
        out = {k: self.maybe(v) for k, v in shape.items() if self.rng.random() < 0.9}
        if self.rng.random() < 0.1:
            out["nope"] = self.value()
        return out


def publish_shape(junk: Junk, fields: list[dict[str, Any]]) -> dict[str, Any]:
    rng = junk.rng
    drafts = []
    for i, fm in enumerate(fields):
        if rng.random() < 0.2:
            continue
        draft = {
            "id": fm["id"],
            "ref": f"r{i}",
            "key": rng.choice([fm["key"], fields[-1 - i]["key"], "Bad key", "_x", "id"]),
            "label": fm["label"],
            "type": rng.choice([fm["type"], fm["type"], "number", "nope"]),
            "settings": rng.choice([fm["settings"], {"choices": junk.value()}, {"max_length": -1}]),
        }
        drafts.append(junk.body(draft))
    if rng.random() < 0.5:
        drafts.append(junk.body({"ref": "new", "label": "新", "type": "text"}))
    layout = [
        {"items": [{"kind": "field", "ref": junk.maybe(f"r{i}"), "span": junk.maybe(12)}]}
        for i in range(rng.randrange(3))
    ]
    layout.append({"items": [junk.body({"kind": "section", "title": "t"})]})
    return {"fields": drafts, "layout": layout, "title_field": junk.maybe("name")}


def test_fuzz_new_endpoints_never_500_nor_half_write(
    rt: Runtime, admin: Any, client_with: Any, make_user: Any
) -> None:
    # server exceptions become responses, so that a crash is seen as the 500 it would be
    api = Api(client_with(raise_server_exceptions=False), token_for(rt, admin))
    bob = make_user("bob")
    form = api.make_form(FIELDS)
    fid, app_id = form["id"], form["app_id"]
    rid = api.create(fid, {"name": "甲", "stage": "初步"})["id"]
    shared = api.ok(api.get(f"/forms/{fid}/views"))["items"][0]["id"]
    personal = bob.ok(bob.post(f"/forms/{fid}/views", {"name": "b", "kind": "table"}), 201)["id"]
    comment = api.ok(api.post(f"/forms/{fid}/records/{rid}/comments", {"body": "hi"}), 201)["id"]
    junk = Junk(20261130)
    admin_id = me(api)
    outcomes = {"ok": 0, "refused": 0}

    def requests() -> Iterator[tuple[str, str, Any]]:
        fields = api.ok(api.get(f"/forms/{fid}"))["fields"]
        kind = junk.rng.choice(["table", "kanban", "calendar", "gallery", "map", 3])
        config = {
            "columns": [{"key": junk.maybe("name"), "width": junk.maybe(100)}],
            "group_field": junk.maybe("stage"),
            "date_field": junk.maybe("due"),
            "card_fields": [junk.maybe("name")],
            "sort": junk.maybe("-name"),
            "filter": junk.maybe({"field": "name", "op": "eq", "value": "x"}),
        }
        config = {k: v for k, v in config.items() if junk.rng.random() < 0.4}
        view = {"name": "v", "kind": kind, "config": config, "shared": junk.maybe(False)}
        yield "POST", f"/forms/{fid}/publish", publish_shape(junk, fields)
        yield "PUT", f"/forms/{fid}/draft", junk.body({"draft": {"x": 1}})
        yield "PATCH", f"/forms/{fid}", junk.body({"settings": {"title_field": "name"}})
        yield "POST", f"/forms/{fid}/views", junk.body(view)
        view_id = junk.rng.choice([shared, personal, 2**63, 0])
        yield "PATCH", f"/views/{view_id}", junk.body(view)
        yield "PUT", f"/forms/{fid}/views/order", junk.body({"view_ids": [shared]})
        yield (
            "POST",
            f"/forms/{fid}/records/{rid}/comments",
            junk.body({"body": "看 @admin", "mentions": [admin_id, admin_id]}),
        )
        yield (
            "PUT",
            f"/apps/{app_id}/forms/order",
            junk.body({"items": [junk.body({"id": fid, "group": "销售"})]}),
        )
        yield (
            "GET",
            f"/forms/{fid}/records/titles?ids={junk.rng.choice(['1,²', '1, 2', '9' * 25, '-1', rid])}",
            None,
        )
        yield "DELETE", f"/comments/{junk.rng.choice([comment, 2**64, -3])}", None

    for step in range(40):
        for method, path, body in requests():
            before = platform_rows(rt)
            content = json.dumps(body, ensure_ascii=False).encode()
            response = api.request(
                method, path, content=content, headers={"Content-Type": "application/json"}
            )
            what = f"#{step} {method} {path} {content[:300]!r}"
            if no_500(response, what):
                outcomes["ok"] += 1
            else:
                outcomes["refused"] += 1
                assert platform_rows(rt) == before, f"half-written: {what}"
    assert min(outcomes.values()) > 20, outcomes
    assert api.ok(api.get(f"/forms/{fid}"))["id"] == fid  # the form still reads


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/forms/{big}/views"),
        ("PATCH", "/views/{big}"),
        ("DELETE", "/views/{big}"),
        ("GET", "/forms/{form}/records/{big}"),
        ("GET", "/forms/{form}/records/{big}/comments"),
        ("DELETE", "/comments/{big}"),
        ("GET", "/forms/{form}/records/titles?ids={big}"),
    ],
)
def test_ids_out_of_range_are_refused_not_crashed(
    api: Api, rt: Runtime, admin: Any, client_with: Any, method: str, path: str
) -> None:
    raw = Api(client_with(raise_server_exceptions=False), token_for(rt, admin))
    fid = api.make_form(FIELDS)["id"]
    response = raw.request(method, path.format(big=10**20, form=fid), json={"name": "x"})
    assert response.status_code in (400, 422), response.text
    assert no_500(response, path) is False


# ----- privacy and lifecycles ------------------------------------------------------------
def test_personal_view_is_404_for_others_on_every_verb(api: Api, make_user: Any) -> None:
    fid = api.make_form(FIELDS)["id"]
    bob, eve = make_user("bob"), make_user("eve")
    mine = bob.ok(bob.post(f"/forms/{fid}/views", {"name": "我的", "kind": "table"}), 201)
    for who in (eve, api):  # another user, and an administrator too
        assert mine["id"] not in [v["id"] for v in who.ok(who.get(f"/forms/{fid}/views"))["items"]]
        assert who.patch(f"/views/{mine['id']}", {"name": "x"}).status_code == 404
        assert who.patch(f"/views/{mine['id']}", {"shared": True}).status_code == 404
        assert who.delete(f"/views/{mine['id']}").status_code == 404
        visible = [v["id"] for v in who.ok(who.get(f"/forms/{fid}/views"))["items"]]
        bad = who.put(f"/forms/{fid}/views/order", {"view_ids": [*visible, mine["id"]]})
        assert details(bad) == {"view_ids": "view_order_mismatch"}
    assert mine["id"] in [v["id"] for v in bob.ok(bob.get(f"/forms/{fid}/views"))["items"]]


def test_deleted_and_purged_forms_take_views_and_comments(api: Api, rt: Runtime) -> None:
    form = api.make_form(FIELDS)
    fid = form["id"]
    rid = api.create(fid, {"name": "甲"})["id"]
    view = api.ok(api.get(f"/forms/{fid}/views"))["items"][0]
    comment = api.ok(api.post(f"/forms/{fid}/records/{rid}/comments", {"body": "hi"}), 201)
    api.ok(api.delete(f"/forms/{fid}"), 204)
    # deleted: unreachable through the form, harmless through their own ids
    assert api.get(f"/forms/{fid}/views").status_code == 404
    assert api.get(f"/forms/{fid}/records/{rid}/comments").status_code == 404
    assert api.patch(f"/views/{view['id']}", {"config": {}}).status_code == 404
    # restored: back with the form
    api.ok(api.post(f"/forms/{fid}/restore"))
    assert [v["id"] for v in api.ok(api.get(f"/forms/{fid}/views"))["items"]] == [view["id"]]
    api.ok(api.delete(f"/forms/{fid}"), 204)
    purge_expired(rt, utcnow() + timedelta(days=rt.settings.field_retention_days + 1))
    with rt.db.read() as conn:
        for table in (schema.views, schema.comments):
            count = sa.select(sa.func.count()).select_from(table).where(table.c.form_id == fid)
            assert conn.execute(count).scalar() == 0
    assert api.delete(f"/comments/{comment['id']}").status_code == 404


def test_comments_on_trashed_records_and_repeated_mentions(api: Api, make_user: Any) -> None:
    fid = api.make_form(FIELDS)["id"]
    rid = api.create(fid, {"name": "甲"})["id"]
    bob = make_user("bob")
    bob_id, admin_id = me(bob), me(api)
    path = f"/forms/{fid}/records/{rid}/comments"
    said = api.ok(api.post(path, {"body": "@bob", "mentions": [bob_id, admin_id, bob_id]}), 201)
    assert said["mentions"] == [bob_id, admin_id]
    bad = api.post(path, {"body": "x", "mentions": [bob_id, bob_id, 999999]})
    assert details(bad) == {"mentions[2]": "mention_unknown_user"}  # its place as sent
    api.ok(api.delete(f"/forms/{fid}/records/{rid}"), 204)
    refused = api.post(path, {"body": "still there?"})
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "record_not_found"
    # the comments of a trashed record stay readable (and come back with it)
    assert [c["id"] for c in api.ok(api.get(path))["items"]] == [said["id"]]


def test_titles_are_per_form_and_leave_out_trashed(api: Api) -> None:
    app_id = api.make_app()["id"]
    a = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "甲", app_id)["id"]
    b = api.make_form([{"key": "name", "label": "名称", "type": "text"}], "乙", app_id)["id"]
    ra = api.create(a, {"name": "A1"})["id"]
    api.create(a, {"name": "A2"})
    rb = [api.create(b, {"name": f"B{i}"})["id"] for i in range(3)]
    api.ok(api.delete(f"/forms/{b}/records/{rb[0]}"), 204)
    got = api.ok(api.get(f"/forms/{b}/records/titles", params={"ids": ",".join(map(str, rb))}))
    assert got["items"] == [{"id": rb[1], "title": "B1"}, {"id": rb[2], "title": "B2"}]
    # ids are record ids of the form asked about: never another form's titles
    got = api.ok(api.get(f"/forms/{a}/records/titles", params={"ids": f"{ra},{rb[2] + 10}"}))
    assert got["items"] == [{"id": ra, "title": "A1"}]
    for ids in ("1,²", "9" * 25):
        bad = api.get(f"/forms/{a}/records/titles", params={"ids": ids})
        assert details(bad) == {"ids": "titles_ids_invalid"}


# ----- query counts ----------------------------------------------------------------------
@contextmanager
def counting(rt: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sa.event.listen(rt.db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        sa.event.remove(rt.db.engine, "before_cursor_execute", count)


def test_hot_reads_cost_the_same_for_1_or_many(api: Api, rt: Runtime, make_user: Any) -> None:
    fid = api.make_form([FIELDS[3], FIELDS[0]])["id"]
    api.open_to_everyone(fid)
    api.ok(api.patch(f"/forms/{fid}", {"settings": {"title_field": "tags"}}))
    items = [{"data": {"name": f"n{i}", "tags": ["a"]}} for i in range(200)]
    ids = api.ok(api.post(f"/forms/{fid}/records/bulk", {"items": items}), 201)["ids"]
    users = [make_user(f"u{i}") for i in range(5)]
    api.ok(api.get(f"/forms/{fid}/views"))  # the default view is made once

    def cost(path: str, **params: Any) -> int:
        api.ok(api.get(path, params=params))  # warm: schema cache, token
        with counting(rt) as statements:
            api.ok(api.get(path, params=params))
        return len(statements)

    titles = f"/forms/{fid}/records/titles"
    one = cost(titles, ids=str(ids[0]))
    assert cost(titles, ids=",".join(map(str, ids))) == one
    comments = f"/forms/{fid}/records/{ids[0]}/comments"
    api.ok(api.post(comments, {"body": "first"}), 201)
    one = cost(comments)
    for user in users:
        user.ok(user.post(comments, {"body": "hi", "mentions": [me(api)]}), 201)
    assert cost(comments) == one
    views = f"/forms/{fid}/views"
    one = cost(views)
    for i in range(10):
        api.ok(api.post(views, {"name": f"v{i}", "kind": "table", "shared": True}), 201)
    assert cost(views) == one


def test_a_members_app_list_costs_the_same_for_1_or_many_apps(
    api: Api, rt: Runtime, make_user: Any
) -> None:
    """Which apps and forms a member may open is answered for all of them at once."""
    bob = make_user("bob")

    def cost() -> int:
        bob.ok(bob.get("/apps"))  # warm: schema cache, token
        with counting(rt) as statements:
            listed = bob.ok(bob.get("/apps"))["items"]
        assert all(app["forms"] for app in listed)
        return len(statements)

    api.make_form([FIELDS[0]])
    one = cost()
    for i in range(4):
        app_id = api.make_app(f"应用{i}")["id"]
        for j in range(3):
            api.make_form([FIELDS[0]], name=f"表单{j}", app_id=app_id)
    assert len(bob.ok(bob.get("/apps"))["items"]) == 5
    assert cost() == one
