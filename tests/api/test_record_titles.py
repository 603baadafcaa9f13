"""Record titles for relation values and pickers."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api


def test_titles_follow_the_title_field(api: Api, make_user: Any) -> None:
    form = api.make_form(
        [
            {"key": "code", "label": "编号", "type": "number"},
            {"key": "name", "label": "名称", "type": "text"},
            {"key": "city", "label": "城市", "type": "text"},
        ]
    )
    fid = form["id"]
    a = api.create(fid, {"code": 1, "name": "甲公司", "city": "上海"})["id"]
    b = api.create(fid, {"code": 2, "city": "北京"})["id"]
    c = api.create(fid, {"code": 3, "name": "丙"})["id"]
    api.ok(api.delete(f"/forms/{fid}/records/{c}"), 204)
    api.open_to_everyone(fid)
    bob = make_user("bob")
    got = bob.ok(bob.get(f"/forms/{fid}/records/titles", params={"ids": f"{b},{a},{c},999"}))
    assert got == {"items": [{"id": b, "title": f"#{b}"}, {"id": a, "title": "甲公司"}]}
    api.ok(api.patch(f"/forms/{fid}", {"settings": {"title_field": "city"}}))
    got = api.ok(api.get(f"/forms/{fid}/records/titles", params={"ids": f"{a},{b}"}))
    assert [i["title"] for i in got["items"]] == ["上海", "北京"]
    assert api.ok(api.get(f"/forms/{fid}/records/titles"))["items"] == []


def test_titles_without_text_field_and_bad_ids(api: Api) -> None:
    fid = api.make_form([{"key": "n", "label": "数", "type": "number"}])["id"]
    rid = api.create(fid, {"n": 5})["id"]
    got = api.ok(api.get(f"/forms/{fid}/records/titles", params={"ids": str(rid)}))
    assert got["items"] == [{"id": rid, "title": f"#{rid}"}]
    too_many = ",".join(str(i) for i in range(1, 202))
    for ids in ("1,x", too_many):
        bad = api.get(f"/forms/{fid}/records/titles", params={"ids": ids})
        assert bad.status_code == 400
        assert bad.json()["error"]["details"][0]["field"] == "ids"
    assert api.get("/forms/999999/records/titles", params={"ids": "1"}).status_code == 404
