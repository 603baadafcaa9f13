"""Which files are accepted, judged by content and not only by name.

A file's extension says what it claims to be; ``filetype`` sniffs what its bytes are.
The claim must be a known extension of an allowed group and the sniffed kind must be one
the claim can legitimately look like (an .xlsx is a zip inside, a .mov may sniff as
mp4). Text formats have no magic number: they must sniff as nothing and hold no NUL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import filetype  # type: ignore[import-untyped]

Group = Literal["image", "pdf", "office", "text", "archive", "audio", "video"]
GROUPS: tuple[Group, ...] = ("image", "pdf", "office", "text", "archive", "audio", "video")

#: how many bytes the sniffers look at (the OOXML matchers need a few KB)
HEAD_BYTES = 8192


@dataclass(frozen=True)
class Kind:
    group: Group
    mime: str
    #: the extensions ``filetype`` may report for a genuine file; empty: plain text
    sniffed: frozenset[str]


def _k(group: Group, mime: str, *sniffed: str) -> Kind:
    return Kind(group, mime, frozenset(sniffed))


_OLE = ("doc", "xls", "ppt")  # one container format: the sniffer cannot tell them apart
KINDS: dict[str, Kind] = {
    "jpg": _k("image", "image/jpeg", "jpg"),
    "jpeg": _k("image", "image/jpeg", "jpg"),
    "png": _k("image", "image/png", "png", "apng"),
    "gif": _k("image", "image/gif", "gif"),
    "webp": _k("image", "image/webp", "webp"),
    "bmp": _k("image", "image/bmp", "bmp"),
    "pdf": _k("pdf", "application/pdf", "pdf"),
    "doc": _k("office", "application/msword", *_OLE),
    "xls": _k("office", "application/vnd.ms-excel", *_OLE),
    "ppt": _k("office", "application/vnd.ms-powerpoint", *_OLE),
    "docx": _k(
        "office",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "docx",
        "zip",
    ),
    "xlsx": _k(
        "office", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "zip"
    ),
    "pptx": _k(
        "office",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "pptx",
        "zip",
    ),
    "odt": _k("office", "application/vnd.oasis.opendocument.text", "odt", "zip"),
    "ods": _k("office", "application/vnd.oasis.opendocument.spreadsheet", "ods", "zip"),
    "odp": _k("office", "application/vnd.oasis.opendocument.presentation", "odp", "zip"),
    "rtf": _k("office", "application/rtf", "rtf"),
    "txt": _k("text", "text/plain; charset=utf-8"),
    "csv": _k("text", "text/csv; charset=utf-8"),
    "md": _k("text", "text/markdown; charset=utf-8"),
    "zip": _k("archive", "application/zip", "zip"),
    "rar": _k("archive", "application/vnd.rar", "rar"),
    "7z": _k("archive", "application/x-7z-compressed", "7z"),
    "gz": _k("archive", "application/gzip", "gz"),
    "tgz": _k("archive", "application/gzip", "gz"),
    "tar": _k("archive", "application/x-tar", "tar"),
    "mp3": _k("audio", "audio/mpeg", "mp3"),
    "m4a": _k("audio", "audio/mp4", "m4a", "mp4"),
    "wav": _k("audio", "audio/wav", "wav"),
    "aac": _k("audio", "audio/aac", "aac"),
    "amr": _k("audio", "audio/amr", "amr"),
    "ogg": _k("audio", "audio/ogg", "ogg"),
    "mp4": _k("video", "video/mp4", "mp4", "m4v", "mov"),
    "mov": _k("video", "video/quicktime", "mov", "mp4"),
    "webm": _k("video", "video/webm", "webm", "mkv"),
    "avi": _k("video", "video/x-msvideo", "avi"),
    "3gp": _k("video", "video/3gpp", "3gp", "mp4"),
}

#: kinds that are compressed already: gzipping their downloads costs CPU for nothing
PRECOMPRESSED_MIMES: tuple[str, ...] = tuple(
    sorted({k.mime for k in KINDS.values() if k.group not in ("text",) and k.mime != "image/bmp"})
)

#: images a browser shows inline and Pillow can check; anything else downloads
INLINE_MIMES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"})


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def accepted_extensions(groups: tuple[Group, ...] | list[Group]) -> list[str]:
    return [ext for ext, kind in KINDS.items() if kind.group in groups]


def classify(name: str, head: bytes, groups: tuple[Group, ...] | list[Group]) -> Kind | str:
    """The file's kind, or the error code: ``file_type_not_allowed`` (the name claims no
    allowed type) or ``file_content_mismatch`` (the bytes are something else)."""
    kind = KINDS.get(extension(name))
    if kind is None or kind.group not in groups:
        return "file_type_not_allowed"
    guessed = filetype.guess(head)
    if not kind.sniffed:
        if guessed is not None or b"\x00" in head:
            return "file_content_mismatch"
        return kind
    if guessed is None or guessed.extension not in kind.sniffed:
        return "file_content_mismatch"
    return kind
