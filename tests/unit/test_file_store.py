"""The local file store and the content checks of uploads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from qiao.config import Settings
from qiao.files.images import ImageRejected, inspect_image
from qiao.files.kinds import classify
from qiao.files.store import FileStore, LocalFileStore, make_store, new_key


def test_local_store_round_trip_sharded_and_atomic(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    assert isinstance(store, FileStore)
    key = new_key()
    assert store.put(key, io.BytesIO(b"x" * 3_000_000)) == 3_000_000
    assert store.path(key) == tmp_path / "files" / key[:2] / key[2:4] / key
    with store.open(key) as stream:
        assert stream.read() == b"x" * 3_000_000
    assert store.put(key, b"replaced") == 8
    assert store.exists(key)

    # no temp file is left behind, also when the source fails half-way
    class Broken(io.BytesIO):
        def read(self, n: int | None = -1) -> bytes:
            raise OSError("disk gone")

    other = new_key()
    with pytest.raises(OSError):
        store.put(other, Broken())
    assert not store.exists(other)
    assert [p.name for p in store.path(key).parent.iterdir()] == [key]
    store.delete(key)
    store.delete(key)  # twice is fine
    assert not store.exists(key)


@pytest.mark.parametrize("key", ["../../etc/passwd", "ab", "A" * 32, "0" * 31 + "/", ""])
def test_local_store_refuses_keys_it_did_not_make(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        LocalFileStore(tmp_path).path(key)


def test_store_chosen_by_settings(tmp_path: Path) -> None:
    store = make_store(Settings(data_dir=tmp_path))
    assert isinstance(store, LocalFileStore) and store.root == tmp_path / "files"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    return out.getvalue()


def test_classify_by_name_and_content() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("a.txt", "a")
    zipped = out.getvalue()
    assert classify("a.png", _png(), ["image"]) != "file_type_not_allowed"
    assert classify("a.PNG", _png(), ["image"]).mime == "image/png"  # type: ignore[union-attr]
    assert classify("a.jpg", zipped, ["image"]) == "file_content_mismatch"
    assert classify("a.zip", zipped, ["image"]) == "file_type_not_allowed"
    assert classify("a.zip", zipped, ["archive"]).group == "archive"  # type: ignore[union-attr]
    assert classify("noext", _png(), ["image"]) == "file_type_not_allowed"
    assert classify("a.csv", "名称,数量\n".encode(), ["text"]).group == "text"  # type: ignore[union-attr]
    assert classify("a.csv", _png(), ["text"]) == "file_content_mismatch"
    assert classify("a.pdf", b"%PDF-1.7\n", ["pdf"]).mime == "application/pdf"  # type: ignore[union-attr]


def test_images_checked_and_thumbnailed() -> None:
    info = inspect_image(io.BytesIO(_png()), thumbnail=True)
    assert (info.width, info.height) == (4, 4) and info.thumbnail is not None
    assert Image.open(io.BytesIO(info.thumbnail)).format == "WEBP"
    with pytest.raises(ImageRejected) as refused:
        inspect_image(io.BytesIO(_png()[:40]), thumbnail=True)
    assert refused.value.code == "image_invalid"
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")
    bomb.seek(0)
    with pytest.raises(ImageRejected) as refused:
        inspect_image(bomb, thumbnail=False)
    assert refused.value.code == "image_too_large"
    # modes that need converting for a WebP thumbnail
    for mode in ("L", "LA", "P", "CMYK", "I;16", "1"):
        out = io.BytesIO()
        fmt = "JPEG" if mode == "CMYK" else "PNG"
        Image.new(mode, (500, 300)).save(out, fmt)
        out.seek(0)
        assert inspect_image(out, thumbnail=True).thumbnail, mode
