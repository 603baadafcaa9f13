"""File fields through the API: upload (checked by content), attach on save, detach on
update, download only through the permission layer — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from qiao.context import utcnow
from qiao.files.service import purge_files
from qiao.forms.purge import purge_expired
from qiao.runtime import Runtime
from tests.conftest import Api

FIELDS: list[dict[str, Any]] = [
    {"key": "title", "label": "标题", "type": "text"},
    {
        "key": "photos",
        "label": "现场照片",
        "type": "image",
        "settings": {"max_files": 3, "max_size_mb": 1},
    },
    {
        "key": "contract",
        "label": "合同",
        "type": "attachment",
        "settings": {"accept": ["pdf", "text"], "max_files": 2},
    },
    {"key": "sign", "label": "客户签名", "type": "signature"},
]
PDF = (
    b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"% padding\n" * 400
)  # > gzip's minimum


def jpeg(size: tuple[int, int] = (40, 20), orientation: int | None = None) -> bytes:
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    Image.new("RGB", size, (200, 30, 30)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(size: tuple[int, int] = (60, 30), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, "PNG")
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "hello" * 100)
    return out.getvalue()


def upload(api: Api, form_id: int, field: str, *files: tuple[str, bytes]) -> Any:
    return api.post(
        f"/forms/{form_id}/fields/{field}/files",
        files=[("files", (name, data, "application/octet-stream")) for name, data in files],
    )


def codes(response: Any) -> list[str]:
    return [d["code"] for d in response.json()["error"].get("details") or []]


@pytest.fixture
def form(api: Api) -> dict[str, Any]:
    return api.make_form(FIELDS, name="工单")


def test_upload_attach_download(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    items = api.ok(
        upload(api, fid, "photos", ("现场 1.jpg", jpeg(orientation=6)), ("b.png", png())), 201
    )["items"]
    first, second = items
    # the EXIF orientation turns the 40x20 photo upright: 20x40
    assert first["name"] == "现场 1.jpg" and first["mime"] == "image/jpeg"
    assert (first["width"], first["height"]) == (20, 40) and first["thumbnail"] is True
    assert second["mime"] == "image/png" and second["size"] == len(png())
    pdf = api.ok(upload(api, fid, "contract", ("合同 2026.pdf", PDF)), 201)["items"][0]
    sign = api.ok(upload(api, fid, "sign", ("signature.png", png((300, 120)))), 201)["items"][0]

    # ids in, descriptors out (names never from the input)
    record = api.create(
        fid,
        {
            "title": "空调维修",
            "photos": [first["id"], {"id": second["id"], "name": "evil.exe"}],
            "contract": [pdf["id"]],
            "sign": [sign["id"]],
        },
    )
    assert [p["name"] for p in record["data"]["photos"]] == ["现场 1.jpg", "b.png"]
    assert record["data"]["contract"][0]["size"] == len(PDF)
    assert record["data"]["sign"][0]["id"] == sign["id"]

    got = api.get(f"/files/{pdf['id']}")
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "content-encoding" not in got.headers  # compressed already: not gzipped again
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%E5%90%88%E5%90%8C%202026.pdf" in disposition
    image = api.get(f"/files/{first['id']}")
    assert image.headers["content-disposition"].startswith("inline;")
    assert image.content == jpeg(orientation=6)
    thumb = api.get(f"/files/{first['id']}/thumbnail")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/webp"
    assert Image.open(io.BytesIO(thumb.content)).size == (20, 40)
    assert api.get(f"/files/{pdf['id']}/thumbnail").status_code == 404

    # exports list the file names
    csv = api.get(f"/forms/{fid}/records/export.csv", params={"fields": "title,photos,contract"})
    assert "现场 1.jpg、b.png" in csv.content.decode("utf-8-sig")
    assert "合同 2026.pdf" in csv.content.decode("utf-8-sig")

    # filters: is_empty / is_not_empty
    api.create(fid, {"title": "无附件"})
    flt = '{"field": "photos", "op": "is_not_empty"}'
    assert [r["id"] for r in api.list(fid, filter=flt)["items"]] == [record["id"]]


def test_content_type_and_limits(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    # a zip renamed to .jpg, an image field given a pdf, a field not accepting images
    bad = upload(api, fid, "photos", ("photo.jpg", zip_bytes()))
    assert bad.status_code == 422 and codes(bad) == ["file_content_mismatch"]
    assert codes(upload(api, fid, "photos", ("a.pdf", PDF))) == ["file_type_not_allowed"]
    assert codes(upload(api, fid, "contract", ("a.png", png()))) == ["file_type_not_allowed"]
    assert codes(upload(api, fid, "contract", ("a.txt", b"ab\x00cd"))) == ["file_content_mismatch"]
    assert upload(api, fid, "contract", ("备注.txt", "中文".encode())).status_code == 201
    assert codes(upload(api, fid, "sign", ("s.jpg", jpeg()))) == ["file_type_not_allowed"]
    # a truncated image and a decompression bomb (100 megapixels in a few KB)
    assert codes(upload(api, fid, "photos", ("t.jpg", jpeg()[:200]))) == ["image_invalid"]
    bomb = png((10_000, 10_000), mode="1")
    assert len(bomb) < 100_000
    assert codes(upload(api, fid, "photos", ("bomb.png", bomb))) == ["image_too_large"]
    # size (1 MB on photos) and count (3)
    big = jpeg() + b"\0" * (1024 * 1024)
    assert codes(upload(api, fid, "photos", ("big.jpg", big))) == ["file_too_large"]
    four = [(f"{i}.jpg", jpeg()) for i in range(4)]
    assert codes(upload(api, fid, "photos", *four)) == ["too_many_files"]
    # all or nothing: one bad file refuses the batch
    mixed = upload(api, fid, "photos", ("ok.jpg", jpeg()), ("bad.jpg", zip_bytes()))
    assert mixed.status_code == 422
    # unknown field, or a field that is no file field
    assert upload(api, fid, "nope", ("a.jpg", jpeg())).status_code == 404
    assert upload(api, fid, "title", ("a.jpg", jpeg())).status_code == 404
    # a record may not list more files than max_files
    ids = [f["id"] for f in api.ok(upload(api, fid, "photos", *four[:3]), 201)["items"]]
    ids += [api.ok(upload(api, fid, "photos", ("x.jpg", jpeg())), 201)["items"][0]["id"]]
    refused = api.post(f"/forms/{fid}/records", {"data": {"photos": ids}})
    assert refused.status_code == 422 and codes(refused) == ["too_many_files"]


def test_files_belong_to_their_field_and_uploader(
    api: Api, form: dict[str, Any], make_user: Any
) -> None:
    fid = form["id"]
    api.open_to_everyone(fid)
    other = make_user("other")
    photo = api.ok(upload(api, fid, "photos", ("a.jpg", jpeg())), 201)["items"][0]
    # someone else's pending upload: not downloadable, not usable
    assert other.get(f"/files/{photo['id']}").status_code == 404
    refused = other.post(f"/forms/{fid}/records", {"data": {"photos": [photo["id"]]}})
    assert refused.status_code == 422 and codes(refused) == ["file_not_available"]
    # a file of another field, and an id that does not exist
    bad = api.post(f"/forms/{fid}/records", {"data": {"contract": [photo["id"]]}})
    assert codes(bad) == ["file_not_available"]
    assert codes(api.post(f"/forms/{fid}/records", {"data": {"photos": [999999]}})) == [
        "file_not_available"
    ]
    first = api.create(fid, {"photos": [photo["id"]]})
    # attached to one record, it cannot be put on another
    again = api.post(f"/forms/{fid}/records", {"data": {"photos": [photo["id"]]}})
    assert codes(again) == ["file_not_available"]
    # ... not even by a bulk update that would copy it to several records
    second = api.create(fid, {"title": "2"})
    bulk = api.post(
        f"/forms/{fid}/records/bulk-update",
        {"ids": [first["id"], second["id"]], "data": {"photos": [photo["id"]]}},
    )
    assert bulk.status_code == 422 and codes(bulk) == ["file_not_available"], bulk.text
    assert api.get(f"/forms/{fid}/records/{second['id']}").json()["data"]["photos"] == []
    assert api.get(f"/files/{photo['id']}").status_code == 200
    # but the record keeps its own file on a later save by another user
    kept = other.patch(
        f"/forms/{fid}/records/{first['id']}",
        {"data": {"title": "改", "photos": [photo["id"]]}, "version": first["version"]},
    )
    assert kept.status_code == 200, kept.text


def test_detach_on_update_and_purge(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    a, b = api.ok(upload(api, fid, "photos", ("a.jpg", jpeg()), ("b.jpg", jpeg())), 201)["items"]
    record = api.create(fid, {"photos": [a["id"], b["id"]]})
    updated = api.ok(
        api.patch(
            f"/forms/{fid}/records/{record['id']}",
            {"data": {"photos": [b["id"]]}, "version": record["version"]},
        )
    )
    assert [p["id"] for p in updated["data"]["photos"]] == [b["id"]]
    assert api.get(f"/files/{a['id']}").status_code == 404  # detached
    assert api.get(f"/files/{b['id']}").status_code == 200
    # a detached file cannot come back
    back = api.patch(
        f"/forms/{fid}/records/{record['id']}",
        {"data": {"photos": [a["id"], b["id"]]}, "version": updated["version"]},
    )
    assert codes(back) == ["file_not_available"]
    pending = api.ok(upload(api, fid, "photos", ("p.jpg", jpeg())), 201)["items"][0]
    # the purge deletes detached files now and pending ones after a day
    with rt.db.read() as conn:
        from qiao.db import schema

        keys = dict(
            conn.execute(
                schema.files.select().with_only_columns(
                    schema.files.c.id, schema.files.c.storage_key
                )
            ).all()
        )
    assert purge_files(rt, utcnow()) == 1
    assert not rt.files.exists(keys[a["id"]]) and rt.files.exists(keys[b["id"]])
    assert purge_files(rt, utcnow() + timedelta(hours=25)) == 1
    assert not rt.files.exists(keys[pending["id"]])
    assert api.get(f"/files/{b['id']}").status_code == 200
    # clearing the field detaches the rest
    api.ok(
        api.patch(
            f"/forms/{fid}/records/{record['id']}",
            {"data": {"photos": []}, "version": updated["version"]},
        )
    )
    assert api.get(f"/files/{b['id']}").status_code == 404


def _groups(api: Api, fid: int) -> list[dict[str, Any]]:
    return list(api.ok(api.get(f"/forms/{fid}/permission-groups"))["items"])


def test_download_permissions(api: Api, form: dict[str, Any], make_user: Any) -> None:
    fid = form["id"]
    owner, stranger, blind, viewer = (
        make_user(n) for n in ("owner", "stranger", "blind", "viewer")
    )
    uid = {
        n: u.ok(u.get("/auth/me"))["user"]["id"]
        for n, u in (("owner", owner), ("stranger", stranger), ("blind", blind), ("viewer", viewer))
    }
    default = _groups(api, fid)[0]
    api.ok(api.patch(f"/permission-groups/{default['id']}", {"members": []}))

    def grant(name: str, ops: list[str], scope: str, fields: dict[str, Any] | None = None) -> None:
        body = {
            "name": name,
            "operations": ops,
            "scope": scope,
            "fields": fields or {},
            "members": [{"type": "user", "id": uid[name]}],
        }
        api.ok(api.post(f"/forms/{fid}/permission-groups", body), 201)

    grant("owner", ["view", "create", "edit"], "own")
    grant("stranger", ["view", "create", "edit"], "own")
    grant("blind", ["view", "edit"], "all", {"photos": {"access": "hidden"}})
    grant("viewer", ["view"], "all", {"photos": {"access": "read"}})

    photo = owner.ok(upload(owner, fid, "photos", ("a.jpg", jpeg())), 201)["items"][0]
    record = owner.create(fid, {"title": "t", "photos": [photo["id"]]})
    assert owner.get(f"/files/{photo['id']}").status_code == 200
    assert owner.get(f"/files/{photo['id']}/thumbnail").status_code == 200
    assert viewer.get(f"/files/{photo['id']}").status_code == 200
    for user in (stranger, blind):  # out of scope; field hidden
        assert user.get(f"/files/{photo['id']}").status_code == 404
        assert user.get(f"/files/{photo['id']}/thumbnail").status_code == 404
    # uploads need create/edit and a writable, visible field
    assert upload(viewer, fid, "photos", ("v.jpg", jpeg())).status_code == 403
    assert upload(blind, fid, "photos", ("v.jpg", jpeg())).status_code == 404
    assert upload(blind, fid, "contract", ("v.pdf", PDF)).status_code == 201
    # a deleted record's files are gone for everyone but the recycle bin
    api.ok(api.delete(f"/forms/{fid}/records/{record['id']}"), 204)
    assert owner.get(f"/files/{photo['id']}").status_code == 404
    assert api.get("/files/999999").status_code == 404


def test_upload_body_limit_is_separate(api: Api, form: dict[str, Any], client_with: Any) -> None:
    """Uploads have their own, larger body limit; every other route keeps the small one."""
    client: TestClient = client_with(max_body_bytes=4000, max_upload_bytes=60_000)
    small = Api(client, None)
    small.headers = api.headers
    fid = form["id"]
    out = io.BytesIO()
    Image.frombytes("RGB", (100, 100), os.urandom(30_000)).save(out, "JPEG")
    photo = out.getvalue()  # noise does not compress
    assert 4000 < len(photo) < 60_000
    assert upload(small, fid, "photos", ("a.jpg", photo)).status_code == 201
    too_big = upload(small, fid, "photos", ("a.jpg", photo + b"\0" * 60_000))
    assert too_big.status_code == 413
    record = small.post(f"/forms/{fid}/records", {"data": {"title": "x" * 5000}})
    assert record.status_code == 413


def test_files_of_a_purged_field_are_purged(api: Api, form: dict[str, Any], rt: Runtime) -> None:
    fid = form["id"]
    photo = api.ok(upload(api, fid, "photos", ("a.jpg", jpeg())), 201)["items"][0]
    api.create(fid, {"photos": [photo["id"]]})
    field_id = next(f["id"] for f in form["fields"] if f["key"] == "photos")
    api.ok(api.delete(f"/forms/{fid}/fields/{field_id}"), 204)
    assert api.get(f"/files/{photo['id']}").status_code == 404  # a deleted field's files
    assert purge_files(rt, utcnow()) == 0  # kept while the field can be restored
    purge_expired(rt, utcnow() + timedelta(days=rt.settings.field_retention_days + 1))
    assert purge_files(rt, utcnow()) == 1


def test_sub_forms_offer_no_file_columns(api: Api, form: dict[str, Any]) -> None:
    """A file belongs to a record (its permissions, its purge), not to a sub-form row."""
    for file_type in ("attachment", "image", "signature"):
        column = {"key": "photo", "label": "照片", "type": file_type}
        refused = api.post(
            f"/forms/{form['id']}/fields",
            {"key": "lines", "label": "明细", "type": "subform", "settings": {"columns": [column]}},
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["details"][0]["field"] == "settings.columns[0].type"


def test_no_type_converts_into_files(api: Api, form: dict[str, Any]) -> None:
    fid = form["id"]
    api.create(fid, {"title": "12"})
    title = next(f["id"] for f in form["fields"] if f["key"] == "title")
    for target in ("attachment", "image", "signature"):
        body = {"type": target, "settings": {}, "accept_loss": True}
        refused = api.post(f"/forms/{fid}/fields/{title}/type-change/preview", body)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"]["code"] == "type_change_unsupported"
    # files out to text: their names
    photos = next(f["id"] for f in form["fields"] if f["key"] == "photos")
    photo = api.ok(upload(api, fid, "photos", ("现场.jpg", jpeg())), 201)["items"][0]
    api.create(fid, {"photos": [photo["id"]]})
    preview = api.post(
        f"/forms/{fid}/fields/{photos}/type-change/preview", {"type": "text", "settings": {}}
    )
    assert api.ok(preview)["converted"] == 1, preview.text
