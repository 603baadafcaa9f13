"""Checking uploaded images with Pillow and making their thumbnails.

A file that claims to be an image must open as one, and its pixel count is capped
before anything is decoded: a small PNG can declare 50,000 x 50,000 pixels and take
gigabytes once decoded (a "decompression bomb"). Thumbnails apply the EXIF orientation,
so a phone photo taken upright shows upright.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import BinaryIO

from PIL import Image, ImageOps, UnidentifiedImageError

#: 40 megapixels: more than any phone camera, far below what would exhaust memory
MAX_PIXELS = 40_000_000
THUMB_SIZE = 320


class ImageRejected(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    thumbnail: bytes | None  # WebP


def inspect_image(stream: BinaryIO, *, thumbnail: bool) -> ImageInfo:
    """Open, verify and (optionally) thumbnail an image; ImageRejected when it is not a
    readable image (``image_invalid``) or has too many pixels (``image_too_large``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(stream) as probe:
                width, height = probe.size
                if width * height > MAX_PIXELS:
                    raise ImageRejected("image_too_large")
                probe.verify()  # checks the structure (CRCs) without decoding pixels
            stream.seek(0)
            with Image.open(stream) as img:
                orientation = img.getexif().get(0x0112, 1)
                if orientation in (5, 6, 7, 8):
                    width, height = height, width
                if not thumbnail:
                    img.load()
                    return ImageInfo(width, height, None)
                return ImageInfo(width, height, _thumbnail(img))
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("image_too_large") from exc
    except (OSError, SyntaxError, ValueError, UnidentifiedImageError) as exc:
        raise ImageRejected("image_invalid") from exc


def _thumbnail(img: Image.Image) -> bytes:
    img.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))  # JPEG: decode at a reduced scale
    img.seek(0)  # first frame of an animation
    oriented = ImageOps.exif_transpose(img)
    if oriented.mode not in ("RGB", "RGBA"):
        has_alpha = oriented.mode in ("LA", "PA", "P") and "transparency" in oriented.info
        oriented = oriented.convert("RGBA" if has_alpha or oriented.mode == "LA" else "RGB")
    oriented.thumbnail((THUMB_SIZE, THUMB_SIZE))
    out = io.BytesIO()
    oriented.save(out, "WEBP", quality=80)
    return out.getvalue()
